using System.Buffers.Binary;
using System.Text;
using Pipeline.Application.Batch;
using Pipeline.Domain.Aggregations;
using Pipeline.Domain.Views;

namespace Pipeline.Application.Tests;

/// <summary>The fold's hand-over file keeps every count of a partial, and reads the files of the format before.
/// </summary>
public class PartialsFileTests
{
    [Fact]
    public void Partials_RoundTrip_WithTheirSkippedCounts_AndFilesWithoutThemStillRead()
    {
        var view = BuiltInViews.Revenue;
        Assert.True(view.TryParseKey("2026-12-01", out var first, out _));
        Assert.True(view.TryParseKey("2026-12-02", out var second, out _));
        var sum = SumState.FromDecimal(12.5m);
        var partials = new Dictionary<ViewKey, ViewPartial>
        {
            [first] = new(sum, events: 3, eventsTimedByEnqueue: 1, skipped: 2),
            [second] = new(view.Aggregation.Zero(), events: 0, eventsTimedByEnqueue: 0, skipped: 4),
        };

        var read = new ViewAccumulator(view);
        PartialsFile.MergeInto(read, PartialsFile.Write(view, partials), "new");

        Assert.Equal(
            [(3L, 1L, 2L, (decimal?)12.5m), (0L, 0L, 4L, 0m)],
            new[] { first, second }
                .Select(k => read.Partials[k])
                .Select(p => (p.Events, p.EventsTimedByEnqueue, p.Skipped, p.State.Result.Value))
        );

        // The format before: key, events, events timed by enqueue, state; no mark, no skipped count.
        var old = new List<byte>();
        void Block(byte[] bytes)
        {
            var length = new byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
            old.AddRange(length);
            old.AddRange(bytes);
        }

        Block(Encoding.UTF8.GetBytes("2026-12-01"));
        var counts = new byte[16];
        BinaryPrimitives.WriteInt64LittleEndian(counts, 3);
        BinaryPrimitives.WriteInt64LittleEndian(counts.AsSpan(8), 1);
        old.AddRange(counts);
        Block(StateCodec.SerializeComplete(sum));
        var fromOld = new ViewAccumulator(view);
        PartialsFile.MergeInto(fromOld, old.ToArray(), "old");

        var partial = fromOld.Partials[first];
        Assert.Equal(
            (3L, 1L, 0L, (decimal?)12.5m),
            (partial.Events, partial.EventsTimedByEnqueue, partial.Skipped, partial.State.Result.Value)
        );
    }
}
