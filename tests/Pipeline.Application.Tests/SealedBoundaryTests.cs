using System.Text;
using Pipeline.Application.Ingest;
using Pipeline.Testing;

namespace Pipeline.Application.Tests;

/// <summary>
/// Sealing against the event hub's own partition set and properties: a quiet partition never holds the batch
/// layer back, and a partition whose events ingest has never read never lets an epoch seal early.
/// </summary>
[Collection(UsesAzurite.Name)]
public class SealedBoundaryTests(AzuriteFixture azurite)
{
    private static IncomingEvent[] At(long sequence, DateTimeOffset enqueued) =>
        [new(Encoding.UTF8.GetBytes(PipelineContext.Event($"e{sequence}", "user.signup", "u", 0)), sequence, enqueued)];

    [Fact]
    public async Task AQuietPartitionThatIsCaughtUp_IsSealedUpToNow_SoEpochsKeepSealing()
    {
        await using var context = await PipelineContext.CreateAsync(azurite, epoch: TimeSpan.FromSeconds(10));
        var handler = context.NewHandler();
        await handler.IngestAsync(new IngestBatch(0, At(0, PipelineContext.Start)));
        await handler.IngestAsync(new IngestBatch(1, At(0, PipelineContext.Start.AddSeconds(1))));
        var boundary = context.Get<SealedBoundary>();

        // Time passes; only partition 1 gets events. Partition 0 is quiet, and the hub says it holds nothing more.
        context.Time.SetUtcNow(PipelineContext.Start.AddMinutes(10));
        await handler.IngestAsync(new IngestBatch(1, At(1, PipelineContext.Start.AddMinutes(10))));

        var sealedThrough = context.Time.GetUtcNow() - context.Options.SealingMargin;
        Assert.Equal(context.Get<Time.PipelineClock>().EpochOf(sealedThrough), await boundary.CutoffAsync());
    }

    [Fact]
    public async Task APartitionWithEventsNeverIngested_IsUnsealed_UntilIngestReadsThem()
    {
        await using var context = await PipelineContext.CreateAsync(azurite, epoch: TimeSpan.FromSeconds(10));
        var handler = context.NewHandler();
        await handler.IngestAsync(new IngestBatch(0, At(0, PipelineContext.Start)));
        context.Time.SetUtcNow(PipelineContext.Start.AddMinutes(10));
        var boundary = context.Get<SealedBoundary>();
        Assert.NotNull(await boundary.CutoffAsync());

        // Partition 2 holds a backlog (a first deployment reading from the start, a partition claimed late).
        var backlogAt = PipelineContext.Start.AddMinutes(1);
        context.Hub.Declare(HubPartition.Numbered(2, 499, backlogAt));
        Assert.Null(await boundary.CutoffAsync());

        // Once ingest is into it, the partition is sealed up to what it has read, and no further.
        await handler.IngestAsync(new IngestBatch(2, At(0, PipelineContext.Start.AddSeconds(30))));
        var clock = context.Get<Time.PipelineClock>();
        Assert.Equal(clock.EpochOf(PipelineContext.Start.AddSeconds(30)), await boundary.CutoffAsync());

        // A partition the hub says is empty holds nothing back.
        context.Hub.Declare(HubPartition.Numbered(2, -1, null));
        Assert.Equal(
            clock.EpochOf(context.Time.GetUtcNow() - context.Options.SealingMargin),
            await boundary.CutoffAsync()
        );
    }
}
