using System.Text;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Pipeline.Application.Audit;
using Pipeline.Application.Batch;
using Pipeline.Application.Configuration;
using Pipeline.Application.Ingest;
using Pipeline.Application.Operations;
using Pipeline.Application.Outcomes;
using Pipeline.Application.RawLog;
using Pipeline.Application.Serving;
using Pipeline.Application.Versions;
using Pipeline.Domain.Views;
using Pipeline.Testing;

namespace Pipeline.Application.Tests;

/// <summary>View versions side by side: replay, routing between versions, shadow mode, cancel.</summary>
[Collection(UsesAzurite.Name)]
public class VersionTests(AzuriteFixture azurite)
{
    private static readonly ViewDefinition V1 = BuiltInViews.NewUsers;

    /// <summary>The example spec a user registers while the pipeline runs: new-users without test accounts.</summary>
    private static readonly byte[] V2Spec = File.ReadAllBytes(
        Path.Combine(DotnetProcess.RepositoryRoot, "examples", "new-users.2.json")
    );

    private static readonly ViewDefinition V2 = Domain.Views.Specs.SpecCompiler.Compile(
        Domain.Views.Specs.ViewSpecReader.Read(V2Spec).Spec!
    );

    /// <summary>A deployment with new-users v2 registered beside v1, its batch layer on the context's engine.</summary>
    private sealed class Deployment
    {
        private readonly Task? _foldGate;

        public Deployment(PipelineContext context, Task? foldGate = null)
        {
            Context = context;
            _foldGate = foldGate;
            Registry = context.Registry;
            var clock = context.Get<Time.PipelineClock>();
            Audits = new AuditStore(context.Store);

            // What answers say of themselves and the routing are read afresh each time: no waiting for caches.
            Registrations = new VersionRegistrations(
                Registry,
                context.Get<VersionStore>(),
                context.Pointers,
                context.Store,
                clock,
                cacheLifetime: TimeSpan.Zero
            );
            Routing = new RoutingService(
                Registry,
                context.Get<VersionStore>(),
                Registrations,
                context.Pointers,
                Audits,
                clock,
                cacheLifetime: TimeSpan.Zero
            );
            var queries = new ViewQueryService(
                context.Store,
                context.Pointers,
                Registry,
                context.Time,
                pointerLifetime: TimeSpan.Zero
            );
            AuditService = new AuditService(
                context.Store,
                context.Pointers,
                queries,
                Registry,
                Audits,
                context.Time,
                context.Get<IOptions<PipelineOptions>>()
            );
            Shadows = new ShadowRecorder(context.Store, context.Time);
            Answers = new AnswerService(queries, Routing, Registrations, Shadows);
            Catalog = new ViewCatalog(Registry, Routing, Registrations, context.Pointers, context.Get<RunStarter>());
            Dropper = new VersionDropper(context.Store, Routing, Registrations, context.Get<RunStarter>());
            Operations = new OperationService(context.Get<RunStarter>(), Routing, clock);
        }

        public PipelineContext Context { get; }

        /// <summary>The context's engine, started on first use (after the test has registered its versions).</summary>
        public Task<EngineHost> EngineAsync() =>
            Context.EngineAsync(
                _foldGate is null
                    ? null
                    : GatedTasks.Holding<FoldChunkActivity, FoldChunkInput, ChunkFold>(
                        FoldChunkActivity.ActivityName,
                        () => _foldGate
                    )
            );

        public async Task<Microsoft.DurableTask.Client.DurableTaskClient> ClientAsync() => (await EngineAsync()).Client;

        public ViewRegistry Registry { get; }

        public VersionRegistrations Registrations { get; }

        public RoutingService Routing { get; }

        public ViewCatalog Catalog { get; }

        public AnswerService Answers { get; }

        public VersionDropper Dropper { get; }

        public OperationService Operations { get; }

        public ShadowRecorder Shadows { get; }

        public AuditStore Audits { get; }

        public AuditService AuditService { get; }

        public IngestHandler Handler() => Context.NewHandler();

        /// <summary>Registers v2 over the registry in storage, as <c>PUT /api/views/new-users/versions/2</c>
        /// does.</summary>
        public async Task RegisterV2Async()
        {
            var registered = await Context.Get<SpecRegistry>().RegisterAsync("new-users", 2, V2Spec);
            Assert.Equal(OutcomeKind.Created, registered.Kind);
        }

        public async Task<ViewAnswer> AskAsync(string key, int? version = null, string? caller = null)
        {
            var answer = await Answers.KeyAsync("new-users", key, version, caller);
            Assert.True(answer.Succeeded, $"{answer.Kind}: {string.Join("; ", answer.Problems)}");
            return answer.Result;
        }

        /// <summary>Sets new-users' routing, as <c>PUT /api/views/new-users/routing?weights=...</c> does.</summary>
        public Task<Outcome<VersionRouting>> RouteAsync(string weights, int? shadow = null, bool audited = false)
        {
            Assert.True(VersionRouting.TryParseWeights(weights, out var parsed, out var error), error);
            return Routing.ChangeAsync("new-users", parsed, shadow, audited);
        }

        public async Task<string> ReplayAsync(int version)
        {
            var started = await Operations.StartReplayAsync(await ClientAsync(), "new-users", version);
            Assert.Equal(OutcomeKind.Accepted, started.Kind);
            return started.Result.OperationId;
        }

        /// <summary>Waits for an operation to end and returns its state.</summary>
        public async Task<OperationState> WaitAsync(string operation)
        {
            var engine = await EngineAsync();
            await engine.WaitAsync(operation);
            return (await PipelineOperations.GetAsync(engine.Client, operation))!.State;
        }
    }

    /// <summary>Sign-ups with every fifth one a test account, enqueued in the given epoch (10-second epochs), timed on
    /// the given day.</summary>
    private static IncomingEvent[] Signups(
        int count,
        long firstSequence,
        int epochOffset,
        int idOffset = 0,
        int day = 0
    ) =>
        [
            .. Enumerable
                .Range(0, count)
                .Select(i =>
                {
                    var n = idOffset + firstSequence + i;
                    return PipelineContext.Signup(
                        $"s{n}",
                        $"u{n}",
                        day,
                        firstSequence + i,
                        (epochOffset * 10) + (i * 0.01),
                        n % 5 == 0 ? """{"plan":"test"}""" : """{"plan":"free"}"""
                    );
                }),
        ];

    [Fact]
    public async Task ReplayOfV2_WhileEventsArrive_AnswersWithV2Logic_V1IsUnchanged_AndReadersMoveAndMoveBack()
    {
        await using var context = await PipelineContext.CreateAsync(azurite, epoch: TimeSpan.FromSeconds(10));
        var day = PipelineContext.Day(0);

        // An older deployment, without v2, registered v1 before the first event and ingests the first epoch.
        await context
            .Get<VersionStore>()
            .RegisterAsync(
                Domain.Views.Specs.ShippedSpecs.Read("new-users.1"),
                new Domain.Epochs.EpochClock(context.Options.EpochLength).EpochOf(
                    PipelineContext.Start.AddSeconds(-10)
                ),
                live: false
            );
        await context
            .NewHandler(ViewRegistry.BuiltIn())
            .IngestAsync(new IngestBatch(0, Signups(10, 0, epochOffset: 0)));

        // v2 is registered during epoch 1; from then on the speed layer maintains both versions.
        var deployment = new Deployment(context);
        context.Time.SetUtcNow(PipelineContext.Start.AddSeconds(15));
        await deployment.RegisterV2Async();
        var handler = deployment.Handler();
        await handler.IngestAsync(new IngestBatch(0, Signups(10, 10, epochOffset: 1)));
        await handler.IngestAsync(new IngestBatch(0, Signups(5, 20, epochOffset: 2)));
        await handler.IngestAsync(new IngestBatch(0, Signups(1, 25, epochOffset: 3)));

        // Before its replay v2 knows only what arrived since its registration, says so, and cannot be given readers.
        var beforeReplay = await deployment.AskAsync(day, version: 2);
        Assert.Equal((12m, false), (beforeReplay.Value, beforeReplay.Provenance.CaughtUp));
        Assert.True((await deployment.AskAsync(day, version: 1)).Provenance.CaughtUp);
        var early = await deployment.RouteAsync("1:50,2:50");
        Assert.Equal(OutcomeKind.Conflict, early.Kind);
        Assert.Contains("not caught up", early.Problems[0], StringComparison.Ordinal);
        Assert.Contains(
            await deployment.Catalog.StatesAsync("new-users", await deployment.ClientAsync()),
            s => s.Version == 2 && s.State.StartsWith("speed layer only", StringComparison.Ordinal)
        );

        // Replay v2 while more events arrive.
        var operation = await deployment.ReplayAsync(2);
        await handler.IngestAsync(new IngestBatch(0, Signups(5, 26, epochOffset: 3)));
        Assert.Equal(OperationState.Completed, await deployment.WaitAsync(operation));

        // 31 sign-ups, 7 of them test accounts (sequence numbers divisible by 5).
        Assert.Equal(31m, (await deployment.AskAsync(day, version: 1)).Value);
        Assert.Equal(31m, (await deployment.AskAsync(day)).Value);
        Assert.Contains(
            await deployment.Catalog.StatesAsync("new-users", await deployment.ClientAsync()),
            s => s.Version == 2 && s.CaughtUp && s.State == "caught up"
        );

        Assert.Equal(OutcomeKind.Ok, (await deployment.RouteAsync("2:100")).Kind);
        var promoted = await deployment.AskAsync(day, caller: "anyone");
        Assert.Equal((24m, 2), (promoted.Value, promoted.Provenance.ViewVersion));
        Assert.Equal(OutcomeKind.Ok, (await deployment.RouteAsync("1:100")).Kind);
        var rolledBack = await deployment.AskAsync(day, caller: "anyone");
        Assert.Equal((31m, 1), (rolledBack.Value, rolledBack.Provenance.ViewVersion));

        // A replay of v2 again at the same cutoff gives identical rows.
        var rows = await BatchRowsAsync(context, "new-users@2.");
        Assert.Equal(OperationState.Completed, await deployment.WaitAsync(await deployment.ReplayAsync(2)));
        Assert.Equal(rows, await BatchRowsAsync(context, "new-users@2."));

        // Retiring v2's speed rows keeps what they said from the epoch after its registration on; an audit finds it
        // right.
        var registered = (
            await context
                .Get<VersionStore>()
                .RegisteredEpochAsync(new Pipeline.Domain.Views.ViewVersion("new-users", 2))
        )!.Value;
        Assert.True(
            await new SpeedRetirement(context.Store, context.Pointers, context.Get<VersionStore>()).RetireAsync(
                V2,
                TimeSpan.Zero,
                context.Time.GetUtcNow()
            ) > 0
        );
        var audit = await deployment.AuditService.RunAsync(new AuditRequest("new-users", 2, null, null, null, "speed"));
        Assert.True(audit.Clean && audit.Mismatches.Count == 0, string.Join("; ", audit.Mismatches));
        Assert.Equal(registered + 1, audit.Speed!.FromEpoch);

        // Dropping: never a version that serves; v2 goes with its rows and records, v1 is untouched.
        var client = await deployment.ClientAsync();
        Assert.Equal(OutcomeKind.Conflict, (await deployment.Dropper.DropAsync(client, "new-users", 1)).Kind);
        var dropped = await deployment.Dropper.DropAsync(client, "new-users", 2);
        Assert.Equal(OutcomeKind.Ok, dropped.Kind);
        var result = dropped.Result;
        Assert.True(result.BatchRows > 0 && result.SpeedRows > 0 && result.WorkBlobs > 0, result.ToString());
        Assert.Empty(await BatchRowsAsync(context, "new-users@2."));
        Assert.Empty(
            await context
                .Store.Work.GetBlobsAsync(
                    new Azure.Storage.Blobs.Models.GetBlobsOptions { Prefix = "speed-said.new-users@2." }
                )
                .ToListAsync()
        );
        Assert.Null(await context.Pointers.GetAsync(new ViewVersion("new-users", 2)));
        Assert.Equal(31m, (await deployment.AskAsync(day)).Value);

        // Still defined in code, the dropped version is maintained again from the drop on: it answers,
        // but says that it is not caught up, and its state says what would catch it up.
        var afterDrop = await deployment.AskAsync(day, version: 2);
        Assert.Equal((0m, false), (afterDrop.Value, afterDrop.Provenance.CaughtUp));
        var states = await deployment.Catalog.StatesAsync("new-users", await deployment.ClientAsync());
        Assert.Contains(
            states,
            s =>
                s.Version == 2
                && !s.CaughtUp
                && s.BatchCutoffEpoch is null
                && s.State.StartsWith("speed layer only", StringComparison.Ordinal)
        );
        Assert.Contains(states, s => s.Version == 1 && s.CaughtUp && s.ServingPercent == 100);
        Assert.Equal(OutcomeKind.Conflict, (await deployment.RouteAsync("1:50,2:50")).Kind);
        // Replayed again at the same cutoff as before the drop, it runs anew rather than answering with the
        // result the drop deleted.
        var again = await deployment.ReplayAsync(2);
        Assert.Equal(OperationState.Completed, await deployment.WaitAsync(again));
        Assert.NotEmpty(await BatchRowsAsync(context, "new-users@2."));
    }

    [Fact]
    public async Task PromoteAndRollBack_UnderConcurrentQueries_NeverFail_NorMixVersions()
    {
        await using var context = await PipelineContext.CreateAsync(azurite, epoch: TimeSpan.FromSeconds(10));
        var deployment = new Deployment(context);
        context.Time.SetUtcNow(PipelineContext.Start.AddSeconds(-10));
        await deployment.RegisterV2Async();
        var handler = deployment.Handler();
        await handler.IngestAsync(new IngestBatch(0, Signups(20, 0, epochOffset: 0)));
        await handler.IngestAsync(new IngestBatch(0, Signups(1, 20, epochOffset: 1)));
        Assert.Equal(OperationState.Completed, await deployment.WaitAsync(await deployment.ReplayAsync(2)));
        var day = PipelineContext.Day(0);
        var expected = new Dictionary<int, decimal> { [1] = 21m, [2] = 16m };

        using var stop = new CancellationTokenSource();
        var answered = 0;
        var readers = Enumerable
            .Range(0, 6)
            .Select(r =>
                Task.Run(async () =>
                {
                    var seen = 0;
                    while (!stop.IsCancellationRequested)
                    {
                        var answer = await deployment.AskAsync(day, caller: $"caller-{r}-{seen % 7}");
                        Assert.Equal(expected[answer.Provenance.ViewVersion], answer.Value);
                        Interlocked.Increment(ref answered);
                        seen++;
                    }

                    return seen;
                })
            )
            .ToList();

        foreach (var weights in new[] { "1:90,2:10", "1:50,2:50", "2:100", "1:100", "2:100", "1:100" })
        {
            Assert.Equal(OutcomeKind.Ok, (await deployment.RouteAsync(weights)).Kind);

            // Each routing serves a few rounds of answers before the next change.
            var before = Volatile.Read(ref answered);
            while (Volatile.Read(ref answered) < before + 12)
            {
                await Task.Yield();
            }
        }

        await stop.CancelAsync();
        Assert.All(await Task.WhenAll(readers), seen => Assert.True(seen > 0));
    }

    [Fact]
    public async Task ShadowMode_ServesOneVersion_AndRecordsWhereTheOtherDiffers()
    {
        await using var context = await PipelineContext.CreateAsync(azurite, epoch: TimeSpan.FromSeconds(10));
        var deployment = new Deployment(context);
        context.Time.SetUtcNow(PipelineContext.Start.AddSeconds(-10));
        await deployment.RegisterV2Async();
        var handler = deployment.Handler();
        await handler.IngestAsync(new IngestBatch(0, Signups(10, 0, epochOffset: 0)));
        await handler.IngestAsync(new IngestBatch(0, Signups(1, 10, epochOffset: 1)));
        Assert.Equal(OperationState.Completed, await deployment.WaitAsync(await deployment.ReplayAsync(2)));

        Assert.Equal(OutcomeKind.Ok, (await deployment.RouteAsync("1:100", shadow: 2)).Kind);
        var served = await deployment.AskAsync(PipelineContext.Day(0), caller: "c");

        Assert.Equal((11m, 1), (served.Value, served.Provenance.ViewVersion));
        var difference = Assert.Single(await deployment.Shadows.ListAsync("new-users", 10));
        Assert.Equal(
            (PipelineContext.Day(0), 1, 11m, 2, 8m),
            (
                difference.Key,
                difference.ServedVersion,
                difference.ServedValue,
                difference.ShadowVersion,
                difference.ShadowValue
            )
        );
    }

    [Fact]
    public async Task CancelledReplay_Stops_CommitsNothing_AndV1KeepsServing_ThenRunsAgainToTheSameResult()
    {
        await using var context = await PipelineContext.CreateAsync(azurite, epoch: TimeSpan.FromSeconds(10));
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var deployment = new Deployment(context, gate.Task);
        context.Time.SetUtcNow(PipelineContext.Start.AddSeconds(-10));
        await deployment.RegisterV2Async();
        var handler = deployment.Handler();
        await handler.IngestAsync(new IngestBatch(0, Signups(10, 0, epochOffset: 0)));
        await handler.IngestAsync(new IngestBatch(0, Signups(1, 10, epochOffset: 1)));

        var operation = await deployment.ReplayAsync(2);

        // A version being rebuilt cannot be dropped under the run.
        var dropRefused = await deployment.Dropper.DropAsync(await deployment.ClientAsync(), "new-users", 2);
        Assert.Equal(OutcomeKind.Conflict, dropRefused.Kind);
        Assert.Contains("cancel it first", dropRefused.Problems[0], StringComparison.Ordinal);

        var cancelled = await OperationService.CancelAsync(await deployment.ClientAsync(), operation);

        Assert.Equal(OutcomeKind.Ok, cancelled.Kind);
        Assert.Equal(OperationState.Canceled, await deployment.WaitAsync(operation));
        Assert.Null(await context.Pointers.GetAsync(new ViewVersion("new-users", 2)));
        Assert.Equal(11m, (await deployment.AskAsync(PipelineContext.Day(0))).Value);
        Assert.Equal(
            OutcomeKind.NotFound,
            (await OperationService.CancelAsync(await deployment.ClientAsync(), "no-such-operation")).Kind
        );

        gate.SetResult();
        Assert.Equal(operation, await deployment.ReplayAsync(2));
        Assert.Equal(OperationState.Completed, await deployment.WaitAsync(operation));
        Assert.Equal(8m, (await deployment.AskAsync(PipelineContext.Day(0), version: 2)).Value);
    }

    [Fact]
    public async Task Audit_IsClean_ThenCatchesACorruptedBatchRow_AndADeletedRawBlob_AndGatesPromotion()
    {
        await using var context = await PipelineContext.CreateAsync(azurite, epoch: TimeSpan.FromSeconds(10));
        var deployment = new Deployment(context);
        context.Time.SetUtcNow(PipelineContext.Start.AddSeconds(-10));
        await deployment.RegisterV2Async();
        var handler = deployment.Handler();
        await handler.IngestAsync(new IngestBatch(0, Signups(10, 0, epochOffset: 0)));
        await handler.IngestAsync(new IngestBatch(1, Signups(5, 0, epochOffset: 0, idOffset: 100, day: 1)));
        await handler.IngestAsync(new IngestBatch(0, Signups(1, 10, epochOffset: 1)));
        await handler.IngestAsync(new IngestBatch(1, Signups(1, 5, epochOffset: 1, idOffset: 100, day: 1)));
        Assert.Equal(OperationState.Completed, await deployment.WaitAsync(await deployment.ReplayAsync(2)));

        // Promotion gated on an audit: refused until a clean one exists at v2's cutoff.
        var gated = await deployment.RouteAsync("2:100", audited: true);
        Assert.Equal(OutcomeKind.Conflict, gated.Kind);
        Assert.Contains("no clean audit", gated.Problems[0], StringComparison.Ordinal);
        var clean = await deployment.AuditService.RunAsync(new AuditRequest("new-users", 2, null, null, null, "a1"));
        Assert.True(clean.Clean, string.Join("; ", clean.Mismatches));
        Assert.Equal((2, 15L), (clean.KeysChecked, clean.EventsRead));
        Assert.Equal(OutcomeKind.Ok, (await deployment.RouteAsync("2:100", audited: true)).Kind);

        // A batch row whose state was replaced by another key's.
        var rows = await context.Store.Batch.QueryAsync<TableEntity>().ToListAsync();
        var day0 = rows.Single(r =>
            r.PartitionKey.StartsWith("new-users@2.", StringComparison.Ordinal)
            && r.GetString("Key") == PipelineContext.Day(0)
        );
        var day1 = rows.Single(r =>
            r.PartitionKey.StartsWith("new-users@2.", StringComparison.Ordinal)
            && r.GetString("Key") == PipelineContext.Day(1)
        );
        day0["State"] = day1.GetBinary("State");
        await context.Store.Batch.UpsertEntityAsync(day0, TableUpdateMode.Replace);
        context.Time.Advance(TimeSpan.FromSeconds(1)); // reports are listed newest first
        var corrupted = await deployment.AuditService.RunAsync(
            new AuditRequest("new-users", 2, null, null, null, "a2")
        );
        Assert.False(corrupted.Clean);

        // This process still serves the row it read before the damage (rows are immutable); a fresh one serves the
        // damage.
        Assert.Equal([new AuditMismatch(PipelineContext.Day(0), "batch", 8m, 4m)], corrupted.Mismatches);
        var freshProcess = new AuditService(
            context.Store,
            context.Pointers,
            new ViewQueryService(context.Store, context.Pointers, deployment.Registry, context.Time),
            deployment.Registry,
            deployment.Audits,
            context.Time,
            context.Get<IOptions<PipelineOptions>>()
        );
        context.Time.Advance(TimeSpan.FromSeconds(1)); // reports are listed newest first
        var seenFresh = await freshProcess.RunAsync(new AuditRequest("new-users", 2, null, null, null, "a2b"));
        Assert.Equal(
            [
                new AuditMismatch(PipelineContext.Day(0), "batch", 8m, 4m),
                new AuditMismatch(PipelineContext.Day(0), "serving", 8m, 4m),
            ],
            seenFresh.Mismatches
        );

        // A raw segment deleted from the log.
        var segment = (await context.RawSegmentsAsync()).First(n => n.Contains("/0001/", StringComparison.Ordinal));
        await context.Store.Raw.GetBlobClient(segment).DeleteAsync();
        context.Time.Advance(TimeSpan.FromSeconds(1)); // reports are listed newest first
        var lost = await deployment.AuditService.RunAsync(new AuditRequest("new-users", 2, null, null, null, "a3"));
        Assert.Equal([new LogShortfall(1, 5, 0)], lost.Shortfalls);
        Assert.Contains(lost.Mismatches, m => m.Kind == "batch" && m.Key == PipelineContext.Day(1));

        // Every report is kept, newest first.
        Assert.Equal(
            ["a3", "a2b", "a2", "a1"],
            (await deployment.Audits.ListAsync("new-users", 2, 10)).Select(r => r.Audit)
        );
    }

    private static async Task<List<string>> BatchRowsAsync(PipelineContext context, string prefix) =>
        [
            .. (await context.Store.Batch.QueryAsync<TableEntity>().ToListAsync())
                .Where(e => e.PartitionKey.StartsWith(prefix, StringComparison.Ordinal))
                .Select(e =>
                    $"{e.PartitionKey}/{e.RowKey} {Convert.ToBase64String(e.GetBinary("State")!)} "
                    + $"{e.GetInt64("Events")}"
                ),
        ];
}

public class VersionRoutingTests
{
    private static readonly string[] Callers = [.. Enumerable.Range(0, 20_000).Select(i => $"client-{i}")];

    [Theory]
    [InlineData(90, 10)]
    [InlineData(50, 50)]
    [InlineData(99, 1)]
    public void CallersAreSharedByWeight_WithinTolerance(int first, int second)
    {
        var routing = new VersionRouting(new Dictionary<int, int> { [1] = first, [2] = second }, null);
        var onSecond = Callers.Count(c => routing.Choose(c) == 2) / (double)Callers.Length;
        Assert.InRange(onSecond, (second / 100.0) - 0.015, (second / 100.0) + 0.015);
    }

    [Fact]
    public void ACallerStaysOnItsVersion_AndRaisingAWeightOnlyMovesCallersTowardsIt()
    {
        var ten = new VersionRouting(new Dictionary<int, int> { [1] = 90, [2] = 10 }, null);
        var half = new VersionRouting(new Dictionary<int, int> { [1] = 50, [2] = 50 }, null);
        Assert.All(Callers.Take(500), c => Assert.Equal(ten.Choose(c), ten.Choose(c)));
        Assert.All(Callers.Where(c => ten.Choose(c) == 2), c => Assert.Equal(2, half.Choose(c)));
        Assert.Equal(1, ten.Choose(null));
    }

    [Theory]
    [InlineData("1:90,2:20", "add up to 100")]
    [InlineData("1:90,1:10", "each version once")]
    [InlineData("one:100", "version:percent")]
    [InlineData("", "add up to 100")]
    public void BadWeights_AreRefusedWithAReason(string weights, string reason)
    {
        Assert.False(VersionRouting.TryParseWeights(weights, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }
}
