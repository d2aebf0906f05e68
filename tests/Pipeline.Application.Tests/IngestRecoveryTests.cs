using System.Text;
using Pipeline.Application.Ingest;
using Pipeline.Application.RawLog;
using Pipeline.Domain.Epochs;
using Pipeline.Domain.Events;
using Pipeline.Domain.Views;
using Pipeline.Testing;

namespace Pipeline.Application.Tests;

[Collection(UsesAzurite.Name)]
public class IngestRecoveryTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task BatchLoggedButNotApplied_IsCompletedFromTheLog_AndItsResentCopiesAreNotCountedTwice()
    {
        await using var context = await PipelineContext.CreateAsync(azurite, epoch: TimeSpan.FromMinutes(5));
        var signups = Enumerable
            .Range(0, 30)
            .Select(i => PipelineContext.Event($"e{i}", "user.signup", $"u{i}", 0))
            .ToArray();
        var now = context.Time.GetUtcNow();
        IncomingEvent At(int i, long sequence) =>
            new(Encoding.UTF8.GetBytes(signups[i]), sequence, now.AddMilliseconds(sequence));
        await context.NewHandler().IngestAsync(new IngestBatch(0, [.. Enumerable.Range(0, 10).Select(i => At(i, i))]));

        // A process crashed after writing the next batch (events 10..19) to the raw log, before its speed writes.
        var crashed = Enumerable.Range(10, 10).Select(i => At(i, i)).ToList();
        var clock = new EpochClock(context.Options.EpochLength);
        var logged = crashed
            .Select(e =>
            {
                Assert.True(CloudEventParser.TryParse(e.Body, e.EnqueuedTime, out var cloudEvent, out _));
                return new AcceptedEvent(
                    cloudEvent,
                    e.SequenceNumber,
                    e.EnqueuedTime,
                    clock.EpochOf(e.EnqueuedTime),
                    EventIdentity.Of(cloudEvent)
                );
            })
            .ToList();
        foreach (var epoch in logged.GroupBy(e => e.Epoch))
        {
            await new RawLogWriter(context.Store).WriteSegmentAsync(0, epoch.Key, [.. epoch], CancellationToken.None);
        }

        // The restarted process takes the partition; the producer re-sends the unacknowledged 10..19 under new numbers,
        // then 20..29.
        var result = await context
            .NewHandler()
            .IngestAsync(new IngestBatch(0, [.. Enumerable.Range(10, 20).Select(i => At(i, 100 + i))]));

        Assert.Equal(10, result.ProducerRetries);
        Assert.Equal((30m, 30L), await context.AnswerAsync(BuiltInViews.NewUsers, PipelineContext.Day(0)));
        Assert.Equal(129, (await context.Progress.GetAsync(0)).LastSequence);
    }
}
