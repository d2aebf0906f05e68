using System.Text;
using Azure.Data.Tables;
using Pipeline.Application.Batch;
using Pipeline.Application.Ingest;
using Pipeline.Application.Storage;
using Pipeline.Domain.Views;
using Pipeline.Testing;

namespace Pipeline.Application.Tests;

/// <summary>A new commit's grace period passes: the batch data it superseded goes, what the next run needs
/// stays.</summary>
[Collection(UsesBatchAzurite.Name)]
public class SupersededBatchDataTests(AzuriteFixture azurite)
{
    private static IncomingEvent[] Signups(int count, long firstSequence, int epoch) =>
        [
            .. Enumerable
                .Range(0, count)
                .Select(i =>
                    PipelineContext.Signup(
                        $"e{firstSequence + i}",
                        $"u{i}",
                        i % 3,
                        firstSequence + i,
                        (epoch * 10) + (i * 0.01)
                    )
                ),
        ];

    [Fact]
    public async Task OlderCutoffsRowsAndBlobsAreDeleted_AfterTheGrace_AndTheNextIncrementalRunStillMatchesAFullOne()
    {
        await using var context = await PipelineContext.CreateAsync(azurite, epoch: TimeSpan.FromSeconds(10));
        var handler = context.NewHandler();
        await handler.IngestAsync(new IngestBatch(0, Signups(30, 0, epoch: 0)));
        await handler.IngestAsync(new IngestBatch(0, Signups(1, 30, epoch: 1)));
        await BatchRuns.RecomputeAsync(context, BuiltInViews.NewUsers);
        var first = (await context.Pointers.GetAsync(new Pipeline.Domain.Views.ViewVersion("new-users", 1)))!.Cutoff;
        await handler.IngestAsync(new IngestBatch(0, Signups(20, 31, epoch: 2)));
        await BatchRuns.RecomputeAsync(context, BuiltInViews.NewUsers);
        var second = (await context.Pointers.GetAsync(new Pipeline.Domain.Views.ViewVersion("new-users", 1)))!.Cutoff;
        Assert.True(second > first);
        var cleanup = new SupersededBatchData(context.Store, context.Pointers);

        // Within the grace period nothing goes: a query may still hold the previous pointer.
        Assert.Equal(
            new SupersededDeletion(0, 0),
            await cleanup.DeleteAsync(BuiltInViews.NewUsers, TimeSpan.FromMinutes(5), context.Time.GetUtcNow())
        );
        Assert.Equal(3, (await BatchRowPartitionsAsync(context, first)).Count);

        var deleted = await cleanup.DeleteAsync(
            BuiltInViews.NewUsers,
            TimeSpan.FromMinutes(5),
            context.Time.GetUtcNow().AddMinutes(6)
        );

        // The second run's one new event is of day 0: it wrote that day again, and only that day's first copy goes.
        // Days 1 and 2 are still served by the first run's copies, which stay.
        Assert.Equal(1, deleted.BatchRows);
        var day = new DateTime(2026, 11, 18, 0, 0, 0, DateTimeKind.Utc); // PipelineContext.Day(0)
        Assert.Equal(
            [
                StorageLayout.Batch.PartitionKey(BuiltInViews.NewUsers.Id, first, day.AddDays(1)),
                StorageLayout.Batch.PartitionKey(BuiltInViews.NewUsers.Id, first, day.AddDays(2)),
            ],
            (await BatchRowPartitionsAsync(context, first)).Distinct().Order(StringComparer.Ordinal)
        );
        Assert.Equal(
            [StorageLayout.Batch.PartitionKey(BuiltInViews.NewUsers.Id, second, day)],
            (await BatchRowPartitionsAsync(context, second)).Distinct()
        );
        var pointer = (await context.Pointers.GetAsync(BuiltInViews.NewUsers.Id))!;
        Assert.Equal(
            [
                StorageLayout.Work.DayPartials(BuiltInViews.NewUsers.Id, day, second),
                StorageLayout.Work.DayPartials(BuiltInViews.NewUsers.Id, day.AddDays(1), first),
                StorageLayout.Work.DayPartials(BuiltInViews.NewUsers.Id, day.AddDays(2), first),
                pointer.ServedDaysBlob,
            ],
            (await WorkBlobsAsync(context))
                .Where(b =>
                    b.StartsWith(
                        StorageLayout.Work.CumulativePrefix(BuiltInViews.NewUsers.Id),
                        StringComparison.Ordinal
                    )
                )
                .Order(StringComparer.Ordinal)
        );
        Assert.DoesNotContain(
            await WorkBlobsAsync(context),
            b =>
                b.StartsWith(
                    Operations.OperationIds.ForRun(Operations.OperationKind.Recompute, BuiltInViews.NewUsers.Id, first),
                    StringComparison.Ordinal
                )
        );
        Assert.Equal(
            new SupersededDeletion(0, 0),
            await cleanup.DeleteAsync(BuiltInViews.NewUsers, TimeSpan.Zero, context.Time.GetUtcNow())
        );

        // Identity indexes (and the settling kept beside them) go once no committed view can start a run from them.
        Assert.Equal(3, await cleanup.DeleteIdentityIndexesAsync(ViewRegistry.BuiltIn().All));
        var horizon = RecomputeInput.DefaultRetryHorizon;
        string Settled(string extension) =>
            StorageLayout.Work.Settled(horizon, 1, 0, first, second, RecomputeInput.DefaultChunkEvents, extension);
        Assert.Equal(
            [
                StorageLayout.Work.Identities(horizon, shards: 1, shard: 0, second),
                Settled("exclusions"),
                Settled("json"),
            ],
            (await WorkBlobsAsync(context))
                .Where(b => b.StartsWith("identities/", StringComparison.Ordinal))
                .Order(StringComparer.Ordinal)
        );

        // The next run is incremental from what was kept, and equals the answer a full run gives.
        await handler.IngestAsync(new IngestBatch(0, [.. Signups(10, 51, epoch: 3), .. Signups(1, 61, epoch: 4)]));
        var run = await BatchRuns.RecomputeAsync(context, BuiltInViews.NewUsers);
        Assert.Equal(Operations.OperationState.Completed, run.State);
        // Epochs 2 and 3 only (20 + 10 events); a full run would read 61.
        Assert.Equal(30, run.CustomStatus!.Value.GetProperty("eventsRead").GetInt64());
        var incremental = await DayAnswersAsync(context);
        await BatchRuns.RecomputeAsync(context, BuiltInViews.NewUsers, full: true);
        Assert.Equal(incremental, await DayAnswersAsync(context));
        Assert.Equal(62L, incremental.Sum(a => a.Events));
    }

    private static async Task<List<string>> BatchRowPartitionsAsync(PipelineContext context, long cutoff) =>
        [
            .. (await context.Store.Batch.QueryAsync<TableEntity>().ToListAsync())
                .Select(r => r.PartitionKey)
                .Where(pk => pk.StartsWith($"new-users@1.{cutoff:D12}.", StringComparison.Ordinal)),
        ];

    private static async Task<List<string>> WorkBlobsAsync(PipelineContext context) =>
        [.. (await context.Store.Work.GetBlobsAsync().ToListAsync()).Select(b => b.Name)];

    private static async Task<List<(decimal? Value, long Events)>> DayAnswersAsync(PipelineContext context) =>
        [
            await context.AnswerAsync(BuiltInViews.NewUsers, PipelineContext.Day(0)),
            await context.AnswerAsync(BuiltInViews.NewUsers, PipelineContext.Day(1)),
            await context.AnswerAsync(BuiltInViews.NewUsers, PipelineContext.Day(2)),
        ];
}
