using System.Buffers.Binary;
using System.Text;
using Pipeline.Application.Batch;
using Pipeline.Domain.Aggregations;
using Pipeline.Domain.Views;
using Pipeline.Testing;

namespace Pipeline.Application.Tests;

/// <summary>
/// The batch write merges the chunks' partials as it reads them, in key order (so day by day), and opens a blob only
/// when the merge reaches its first key: what it holds at once follows the days it is on, not the log.
/// </summary>
[Collection(UsesAzurite.Name)]
public class PartialsMergeTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Merge_ReadsEveryEntryInKeyOrder_OpeningOnlyTheBlobsItIsIn()
    {
        await using var context = await PipelineContext.CreateAsync(azurite);
        var view = BuiltInViews.Revenue;
        var start = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var blobs = new List<string>();
        var expected = new SortedDictionary<string, decimal>(StringComparer.Ordinal);

        // Forty chunks of a long log, each with its own day and the next (as a chunk spans midnight); listed in
        // reverse, so the merge orders them itself.
        for (var chunk = 39; chunk >= 0; chunk--)
        {
            var partials = new Dictionary<ViewKey, ViewPartial>();
            foreach (var day in new[] { start.AddDays(chunk), start.AddDays(chunk + 1) })
            {
                Assert.True(view.TryParseKey(view.Window.FormatStart(day), out var key, out _));
                partials[key] = new ViewPartial(SumState.FromDecimal(chunk), 1, 0, 0);
                var text = key.Format(view.Window);
                expected[text] = expected.GetValueOrDefault(text) + chunk;
            }

            blobs.Add(await UploadAsync(context, $"merge-test/chunk-{chunk:D2}", PartialsFile.Write(view, partials)));
        }

        // A file of the earlier format (no mark, no skipped count), and an empty one of it.
        blobs.Add(
            await UploadAsync(context, "merge-test/earlier", EarlierFormat("2026-01-05", SumState.FromDecimal(100)))
        );
        expected["2026-01-05"] += 100;
        blobs.Add(await UploadAsync(context, "merge-test/empty", []));

        var read = new List<(string Key, decimal Sum)>();
        var merge = await PartialsMerge.OpenAsync(context.Store.Work, blobs, CancellationToken.None);
        await using (merge)
        {
            while (await merge.MoveNextAsync())
            {
                read.Add((merge.Current.Key, merge.Current.Partial.State.Result.Value ?? 0));
            }

            Assert.InRange(merge.MostOpen, 1, 3);
        }

        Assert.Equal(read.Select(r => r.Key).Order(StringComparer.Ordinal), read.Select(r => r.Key));
        Assert.Equal(
            expected.ToList(),
            read.GroupBy(r => r.Key).Select(g => KeyValuePair.Create(g.Key, g.Sum(r => r.Sum))).ToList()
        );
        Assert.Equal(81, read.Count);
    }

    private static async Task<string> UploadAsync(PipelineContext context, string name, byte[] content)
    {
        await context.Store.Work.GetBlobClient(name).UploadAsync(BinaryData.FromBytes(content), overwrite: true);
        return name;
    }

    private static byte[] EarlierFormat(string key, AggregateState state)
    {
        var bytes = new List<byte>();
        void Block(byte[] block)
        {
            var length = new byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(length, block.Length);
            bytes.AddRange(length);
            bytes.AddRange(block);
        }

        Block(Encoding.UTF8.GetBytes(key));
        var counts = new byte[16];
        BinaryPrimitives.WriteInt64LittleEndian(counts, 1);
        bytes.AddRange(counts);
        Block(StateCodec.SerializeComplete(state));
        return [.. bytes];
    }
}
