using System.Text;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Pipeline.Application.Batch;
using Pipeline.Application.Ingest;
using Pipeline.Application.Operations;
using Pipeline.Application.RawLog;
using Pipeline.Domain.Views;
using Pipeline.Testing;

namespace Pipeline.Application.Tests;

[Collection(UsesBatchAzurite.Name)]
public class RecomputeTests(AzuriteFixture azurite)
{
    private static Task<OperationStatus> RecomputeAsync(
        PipelineContext context,
        ViewDefinition view,
        long? cutoff = null,
        bool full = false
    ) => BatchRuns.RecomputeAsync(context, view, cutoff, full);

    /// <summary>Sign-ups enqueued one epoch (10 s) apart from the given epoch offset, all with event time on day
    /// 0.</summary>
    internal static IncomingEvent[] Signups(int count, long firstSequence, int epochOffset, string prefix = "e") =>
        [
            .. Enumerable
                .Range(0, count)
                .Select(i =>
                    PipelineContext.Signup(
                        $"{prefix}{firstSequence + i}",
                        $"u{(firstSequence + i) % 7}",
                        0,
                        firstSequence + i,
                        (epochOffset * 10) + (i * 0.01)
                    )
                ),
        ];

    [Fact]
    public async Task EventsStraddlingTheCutoff_AndLateEvents_AreEachCountedOnce_BeforeAndAfterTheNextRecompute()
    {
        await using var context = await PipelineContext.CreateAsync(azurite, epoch: TimeSpan.FromSeconds(10));
        var handler = context.NewHandler();
        await handler.IngestAsync(new IngestBatch(0, Signups(30, 0, epochOffset: 0)));
        await handler.IngestAsync(new IngestBatch(0, Signups(20, 30, epochOffset: 1)));
        await handler.IngestAsync(new IngestBatch(0, Signups(5, 50, epochOffset: 2)));

        var first = await RecomputeAsync(context, BuiltInViews.NewUsers);
        Assert.Equal(OperationState.Completed, first.State);
        var day = PipelineContext.Day(0);
        Assert.True(BuiltInViews.NewUsers.TryParseKey(day, out var key, out _));
        var answer = await context.Queries.QueryKeyAsync(BuiltInViews.NewUsers, key);
        Assert.Equal(55m, answer.Result.Value);
        Assert.False(answer.Provenance.CoveredByBatch);

        // A late event: its event-time day is batch-covered, but it arrives after the cutoff.
        await handler.IngestAsync(new IngestBatch(0, Signups(3, 55, epochOffset: 3, prefix: "late")));
        Assert.Equal(58m, await context.ValueAsync(BuiltInViews.NewUsers, day));
        await handler.IngestAsync(new IngestBatch(0, Signups(1, 58, epochOffset: 4, prefix: "later")));

        await RecomputeAsync(context, BuiltInViews.NewUsers);
        var after = await context.Queries.QueryKeyAsync(BuiltInViews.NewUsers, key);
        Assert.Equal(59m, after.Result.Value);
        Assert.Equal(59, after.Events);
    }

    [Fact]
    public async Task BatchRows_AreServedFromMemoryOnceRead_AndANewCutoffIsReadAfresh()
    {
        await using var context = await PipelineContext.CreateAsync(azurite, epoch: TimeSpan.FromSeconds(10));
        var handler = context.NewHandler();
        await handler.IngestAsync(new IngestBatch(0, Signups(30, 0, epochOffset: 0)));
        await handler.IngestAsync(new IngestBatch(0, Signups(5, 30, epochOffset: 1)));
        await RecomputeAsync(context, BuiltInViews.NewUsers);
        var day = PipelineContext.Day(0);
        Assert.True(BuiltInViews.NewUsers.TryParseKey(day, out var key, out _));
        var range = (From: key, To: key with { WindowStart = key.WindowStart.AddDays(3) });
        Assert.Equal(35m, await context.ValueAsync(BuiltInViews.NewUsers, day));
        Assert.Equal(
            35m,
            Assert
                .Single(await context.Queries.QueryRangeAsync(BuiltInViews.NewUsers, range.From, range.To))
                .Result.Value
        );

        // Batch rows never change once written; removing them from storage shows the answers no longer read them.
        foreach (var row in await context.Store.Batch.QueryAsync<TableEntity>().ToListAsync())
        {
            await context.Store.Batch.DeleteEntityAsync(row.PartitionKey, row.RowKey);
        }

        Assert.Equal(35m, await context.ValueAsync(BuiltInViews.NewUsers, day));
        Assert.Equal(
            35m,
            Assert
                .Single(await context.Queries.QueryRangeAsync(BuiltInViews.NewUsers, range.From, range.To))
                .Result.Value
        );

        // A commit at a newer cutoff names other rows: they are read, not the cached ones of the old cutoff.
        await handler.IngestAsync(new IngestBatch(0, Signups(4, 35, epochOffset: 2)));
        await handler.IngestAsync(new IngestBatch(0, Signups(1, 39, epochOffset: 3)));
        await RecomputeAsync(context, BuiltInViews.NewUsers);
        var answer = await context.Queries.QueryKeyAsync(BuiltInViews.NewUsers, key);
        Assert.Equal(40m, answer.Result.Value);
        Assert.Equal(40, answer.Events);
        Assert.Equal(
            40m,
            Assert
                .Single(await context.Queries.QueryRangeAsync(BuiltInViews.NewUsers, range.From, range.To))
                .Result.Value
        );
    }

    [Fact]
    public async Task RecomputingTwice_GivesIdenticalRowsAndPointer()
    {
        await using var context = await PipelineContext.CreateAsync(azurite, epoch: TimeSpan.FromSeconds(10));
        var handler = context.NewHandler();
        await handler.IngestAsync(new IngestBatch(0, Signups(30, 0, epochOffset: 0)));
        await handler.IngestAsync(new IngestBatch(1, Signups(30, 1000, epochOffset: 1)));
        await handler.IngestAsync(new IngestBatch(0, Signups(1, 30, epochOffset: 2)));
        await handler.IngestAsync(new IngestBatch(1, Signups(1, 1030, epochOffset: 2)));

        var first = await RecomputeAsync(context, BuiltInViews.ActiveUsers);
        var rows = await BatchRowsAsync(context);
        var pointer = await context.Pointers.GetAsync(new Pipeline.Domain.Views.ViewVersion("active-users", 1));
        var again = await RecomputeAsync(context, BuiltInViews.ActiveUsers, pointer!.Cutoff);

        Assert.Equal(first.InstanceId, again.InstanceId);
        Assert.Equal(rows, await BatchRowsAsync(context));
        Assert.Equal(
            Json(pointer),
            Json(await context.Pointers.GetAsync(new Pipeline.Domain.Views.ViewVersion("active-users", 1)))
        );
        Assert.Equal(new Dictionary<int, long> { [0] = 29, [1] = 1029 }, pointer.LastSequences);
    }

    [Fact]
    public async Task ProducerRetryArrivingLongAfterItsOriginal_IsCountedOnceAfterBatch()
    {
        await using var context = await PipelineContext.CreateAsync(
            azurite,
            epoch: TimeSpan.FromSeconds(10),
            dedupWindow: TimeSpan.FromSeconds(5)
        );
        var handler = context.NewHandler();
        var original = Signups(1, 0, epochOffset: 0, prefix: "retry");
        await handler.IngestAsync(new IngestBatch(0, original));

        // The same event (same source and id) re-sent far outside the speed layer's window.
        var resent = new IncomingEvent(original[0].Body, 1, PipelineContext.Start.AddSeconds(30));
        await handler.IngestAsync(new IngestBatch(0, [resent]));
        await handler.IngestAsync(new IngestBatch(0, Signups(1, 2, epochOffset: 5, prefix: "x")));
        Assert.Equal(3m, await context.ValueAsync(BuiltInViews.NewUsers, PipelineContext.Day(0)));

        await RecomputeAsync(context, BuiltInViews.NewUsers);

        Assert.Equal(2m, await context.ValueAsync(BuiltInViews.NewUsers, PipelineContext.Day(0)));
    }

    [Fact]
    public async Task CorruptedRawSegment_FailsNamingTheBlob_AndTheOldBatchViewKeepsServing()
    {
        await using var context = await PipelineContext.CreateAsync(azurite, epoch: TimeSpan.FromSeconds(10));
        var handler = context.NewHandler();
        await handler.IngestAsync(new IngestBatch(0, Signups(10, 0, epochOffset: 0)));
        await handler.IngestAsync(new IngestBatch(0, Signups(10, 10, epochOffset: 1)));
        await RecomputeAsync(context, BuiltInViews.NewUsers);
        var serving = await context.Pointers.GetAsync(new Pipeline.Domain.Views.ViewVersion("new-users", 1));
        await handler.IngestAsync(new IngestBatch(0, Signups(10, 20, epochOffset: 2)));
        await handler.IngestAsync(new IngestBatch(0, Signups(1, 30, epochOffset: 3)));
        var segment = (await context.RawSegmentsAsync()).Single(n =>
            n.Contains("-00000000000000000029", StringComparison.Ordinal)
        );
        await context.Store.Raw.GetBlobClient(segment).DeleteAsync();
        await context
            .Store.Raw.GetBlobClient(segment)
            .UploadAsync(BinaryData.FromBytes([0x1f, 0x8b, 8, 0, 1, 2, 3]), overwrite: false);

        var failed = await RecomputeAsync(context, BuiltInViews.NewUsers);

        Assert.Equal(OperationState.Failed, failed.State);
        Assert.Contains(segment, failed.Error, StringComparison.Ordinal);
        Assert.Equal(
            Json(serving),
            Json(await context.Pointers.GetAsync(new Pipeline.Domain.Views.ViewVersion("new-users", 1)))
        );
        Assert.Equal(31m, await context.ValueAsync(BuiltInViews.NewUsers, PipelineContext.Day(0)));
    }

    [Fact]
    public async Task CutoffBeyondTheSealedBoundary_IsRefusedWith409()
    {
        await using var context = await PipelineContext.CreateAsync(azurite, epoch: TimeSpan.FromSeconds(10));
        await context.NewHandler().IngestAsync(new IngestBatch(0, Signups(5, 0, epochOffset: 0)));
        var engine = await context.EngineAsync();
        var service = await BatchRuns.StarterAsync(context);

        var sealedCutoff = await context.Get<SealedBoundary>().CutoffAsync();
        var refusal = await service.StartAsync(
            engine.Client,
            BuiltInViews.NewUsers,
            Operations.OperationKind.Recompute,
            sealedCutoff + 1
        );

        Assert.Equal(Outcomes.OutcomeKind.Conflict, refusal.Kind);
        Assert.Contains("sealed", refusal.Problems[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoConcurrentStarts_RunOnce()
    {
        await using var context = await PipelineContext.CreateAsync(azurite, epoch: TimeSpan.FromSeconds(10));
        var handler = context.NewHandler();
        await handler.IngestAsync(new IngestBatch(0, Signups(20, 0, epochOffset: 0)));
        await handler.IngestAsync(new IngestBatch(0, Signups(1, 20, epochOffset: 1)));
        var engine = await context.EngineAsync();
        var service = await BatchRuns.StarterAsync(context);

        var starts = await Task.WhenAll(
            service.StartAsync(engine.Client, BuiltInViews.NewUsers, Operations.OperationKind.Recompute),
            service.StartAsync(engine.Client, BuiltInViews.NewUsers, Operations.OperationKind.Recompute)
        );
        await engine.WaitAsync(starts[0].Result.OperationId);

        Assert.Equal(starts[0].Result.OperationId, starts[1].Result.OperationId);
        Assert.Equal(1, starts.Count(s => s.Result.Started));
    }

    [Fact]
    public async Task AfterCommitAndGrace_SpeedRowsBelowTheCutoffAreRetired_AndAnswersDoNotChange()
    {
        await using var context = await PipelineContext.CreateAsync(azurite, epoch: TimeSpan.FromSeconds(10));
        var handler = context.NewHandler();
        await handler.IngestAsync(new IngestBatch(0, Signups(20, 0, epochOffset: 0)));
        await handler.IngestAsync(new IngestBatch(0, Signups(5, 20, epochOffset: 1)));
        var retirement = new SpeedRetirement(
            context.Store,
            context.Pointers,
            context.Get<Pipeline.Application.Versions.VersionStore>()
        );
        Assert.Equal(0, await retirement.RetireAsync(BuiltInViews.NewUsers, TimeSpan.Zero, context.Time.GetUtcNow()));

        await RecomputeAsync(context, BuiltInViews.NewUsers);
        var before = await context.AnswerAsync(BuiltInViews.NewUsers, PipelineContext.Day(0));
        Assert.Equal(
            0,
            await retirement.RetireAsync(BuiltInViews.NewUsers, TimeSpan.FromMinutes(5), context.Time.GetUtcNow())
        );
        var retired = await retirement.RetireAsync(
            BuiltInViews.NewUsers,
            TimeSpan.FromMinutes(5),
            context.Time.GetUtcNow().AddMinutes(6)
        );

        Assert.Equal(1, retired);
        Assert.Equal(before, await context.AnswerAsync(BuiltInViews.NewUsers, PipelineContext.Day(0)));
        Assert.Equal((25m, 25L), before);
        var cutoff = (await context.Pointers.GetAsync(new Pipeline.Domain.Views.ViewVersion("new-users", 1)))!.Cutoff;
        var remaining = (await context.Store.Speed.QueryAsync<TableEntity>().ToListAsync())
            .Where(r => r.PartitionKey.StartsWith("new-users@", StringComparison.Ordinal))
            .ToList();
        Assert.Equal([cutoff], remaining.Select(r => r.GetInt64("Epoch")!.Value));
    }

    /// <summary>
    /// With 12-record chunks every epoch of partition 0 after the first is its own fold chunk, so the
    /// retry of e45 (epoch 1) in epoch 3 crosses chunks, and the retry of e3 (epoch 0) crosses the
    /// incremental boundary; the whole run folds each partition in one chunk.
    /// </summary>
    [Theory]
    [InlineData(RecomputeInput.DefaultChunkEvents)]
    [InlineData(12)]
    public async Task IncrementalRecompute_ReadsOnlyNewEpochs_AndEqualsAFullRun(long chunkEvents)
    {
        var views = new[] { BuiltInViews.ActiveUsers, BuiltInViews.NewUsers };
        var history = new (int Partition, IncomingEvent[] Events)[]
        {
            (0, Signups(40, 0, epochOffset: 0)),
            (1, Signups(40, 1000, epochOffset: 0)),
            (0, Signups(10, 40, epochOffset: 1)),
            (1, Signups(10, 1040, epochOffset: 1)),
            (0, Signups(15, 50, epochOffset: 2)),
            (0, [new IncomingEvent(Signups(1, 3, 0)[0].Body, 65, PipelineContext.Start.AddSeconds(31))]),
            (0, [new IncomingEvent(Signups(1, 45, 1)[0].Body, 66, PipelineContext.Start.AddSeconds(32))]),
            (1, Signups(5, 1050, epochOffset: 3)),
            (0, Signups(1, 67, epochOffset: 4)),
            (1, Signups(1, 1055, epochOffset: 4)),
        };

        var stepwise = await PipelineContext.CreateAsync(
            azurite,
            epoch: TimeSpan.FromSeconds(10),
            foldChunkEvents: chunkEvents
        );
        var handler = stepwise.NewHandler();
        foreach (var (partition, events) in history[..4])
        {
            await handler.IngestAsync(new IngestBatch(partition, events));
        }

        foreach (var view in views)
        {
            await RecomputeAsync(stepwise, view);
        }

        foreach (var (partition, events) in history[4..])
        {
            await handler.IngestAsync(new IngestBatch(partition, events));
        }

        var incremental = new List<OperationStatus>();
        foreach (var view in views)
        {
            incremental.Add(await RecomputeAsync(stepwise, view));
        }

        var whole = await PipelineContext.CreateAsync(azurite, epoch: TimeSpan.FromSeconds(10));
        var wholeHandler = whole.NewHandler();
        foreach (var (partition, events) in history)
        {
            await wholeHandler.IngestAsync(new IngestBatch(partition, events));
        }

        foreach (var view in views)
        {
            await RecomputeAsync(whole, view);
        }

        Assert.All(incremental, status => Assert.Equal(OperationState.Completed, status.State));
        // Epochs 1 to 3 only (20 + 15 + 2 + 5 events); a full run reads those and the 80 of epoch 0.
        Assert.All(
            incremental,
            status => Assert.Equal(42, status.CustomStatus!.Value.GetProperty("eventsRead").GetInt64())
        );
        Assert.All(
            incremental,
            status => Assert.Equal(2, status.CustomStatus!.Value.GetProperty("retriesRemoved").GetInt64())
        );
        Assert.All(
            incremental,
            status =>
                Assert.Equal(chunkEvents == 12 ? 5 : 2, status.CustomStatus!.Value.GetProperty("chunks").GetInt32())
        );
        foreach (var view in views)
        {
            Assert.Equal(await ServedRowsAsync(whole, view), await ServedRowsAsync(stepwise, view));
        }
        Assert.Equal(
            Json(
                await whole.Pointers.GetAsync(new Pipeline.Domain.Views.ViewVersion("new-users", 1)) is { } p
                    ? p with
                    {
                        Operation = "",
                        CommittedAt = default,
                        Timings = null,
                        ServedDaysBlob = null,
                    }
                    : null
            ),
            Json(
                (await stepwise.Pointers.GetAsync(new Pipeline.Domain.Views.ViewVersion("new-users", 1)))! with
                {
                    Operation = "",
                    CommittedAt = default,
                    Timings = null,
                    ServedDaysBlob = null,
                }
            )
        );
        // The same days, rows and events served, whichever run wrote each day.
        foreach (var view in views)
        {
            Assert.Equal(await ServedRowsAndEventsAsync(whole, view), await ServedRowsAndEventsAsync(stepwise, view));
        }
        Assert.Equal(
            42,
            (await stepwise.Pointers.GetAsync(new Pipeline.Domain.Views.ViewVersion("new-users", 1)))!
                .Timings!
                .EventsRead
        );
        // 124 events, two of them producer retries.
        Assert.Equal((122m, 122L), await stepwise.AnswerAsync(BuiltInViews.NewUsers, PipelineContext.Day(0)));
    }

    /// <summary>The rows a view's pointer serves, by day (not by the cutoff each day was written at).</summary>
    private static async Task<List<string>> ServedRowsAsync(
        PipelineContext context,
        Pipeline.Domain.Views.ViewDefinition view
    )
    {
        var served = await ServedDays.OfAsync(context.Store, (await context.Pointers.GetAsync(view.Id))!);
        return
        [
            .. (await served.RowsAsync(context.Store, view).ToListAsync()).Select(e =>
                $"{e.PartitionKey.Split('.')[^1]}/{e.RowKey} {Convert.ToBase64String(e.GetBinary("State")!)} "
                + $"{e.GetInt64("Events")}"
            ),
        ];
    }

    private static async Task<List<(DateTime Day, long Rows, long Events)>> ServedRowsAndEventsAsync(
        PipelineContext context,
        Pipeline.Domain.Views.ViewDefinition view
    )
    {
        var served = await ServedDays.OfAsync(context.Store, (await context.Pointers.GetAsync(view.Id))!);
        Assert.True(served.Listed);
        return [.. served.Days.Select(d => (d.Key, d.Value.Rows, d.Value.Events))];
    }

    private static string Json(BatchPointer? pointer) => System.Text.Json.JsonSerializer.Serialize(pointer);

    private static async Task<List<string>> BatchRowsAsync(PipelineContext context) =>
        [
            .. (await context.Store.Batch.QueryAsync<TableEntity>().ToListAsync()).Select(e =>
                $"{e.PartitionKey}/{e.RowKey} {Convert.ToBase64String(e.GetBinary("State")!)} "
                + $"{e.GetInt64("Events")}"
            ),
        ];
}
