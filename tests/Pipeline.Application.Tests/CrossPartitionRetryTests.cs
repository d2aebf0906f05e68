using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Pipeline.Application.Audit;
using Pipeline.Application.Batch;
using Pipeline.Application.Configuration;
using Pipeline.Application.Ingest;
using Pipeline.Application.Operations;
using Pipeline.Application.Serving;
using Pipeline.Application.Versions;
using Pipeline.Domain.Views;
using Pipeline.Testing;

namespace Pipeline.Application.Tests;

/// <summary>
/// A producer retry counts once in the batch view wherever it lands, within the retry horizon: in another
/// partition, another chunk, or before the last cutoff; later than the horizon, a resend is a new event.
/// </summary>
[Collection(UsesBatchAzurite.Name)]
public class CrossPartitionRetryTests(AzuriteFixture azurite)
{
    private static readonly ViewVersion NewUsers = new("new-users", 1);

    /// <summary>A sign-up (event time on day 0) enqueued <paramref name="seconds"/> after the start.</summary>
    private static IncomingEvent Signup(string id, long sequence, double seconds) =>
        PipelineContext.Signup(id, $"u-{id}", 0, sequence, seconds);

    private static IncomingEvent[] Signups(string prefix, int from, int count, long firstSequence, double seconds) =>
        [.. Enumerable.Range(from, count).Select(i => Signup($"{prefix}{i}", firstSequence + i - from, seconds))];

    private static Task<(decimal? Value, long Events)> Day0Async(PipelineContext context) =>
        context.AnswerAsync(BuiltInViews.NewUsers, PipelineContext.Day(0));

    private static AuditService Auditor(PipelineContext context, TimeSpan retryHorizon) =>
        new(
            context.Store,
            context.Pointers,
            new ViewQueryService(
                context.Store,
                context.Pointers,
                ViewRegistry.BuiltIn(),
                context.Time,
                pointerLifetime: TimeSpan.Zero
            ),
            ViewRegistry.BuiltIn(),
            new AuditStore(context.Store),
            context.Time,
            Options.Create(new PipelineOptions { RetryHorizon = retryHorizon })
        );

    [Fact]
    public async Task RetriesInOtherPartitions_CountOnceInBatch_FullAndIncremental_AndTheAuditAgrees()
    {
        await using var context = await PipelineContext.CreateAsync(azurite, epoch: TimeSpan.FromSeconds(10));
        var handler = context.NewHandler();
        await handler.IngestAsync(new IngestBatch(0, [.. Signups("e", 0, 20, 0, 1), .. Signups("f", 0, 3, 20, 28)]));

        // Partition 1: copies of e0-e4 in the same epoch, of e5-e9 two epochs later, and five events of its own.
        await handler.IngestAsync(
            new IngestBatch(
                1,
                [.. Signups("e", 0, 5, 0, 5), .. Signups("e", 5, 5, 5, 25), .. Signups("p", 0, 5, 10, 26)]
            )
        );

        // Partition 2: a copy of e10 enqueued at the same instant as the original (partition 0's counts), and one of its
        // own.
        await handler.IngestAsync(new IngestBatch(2, [Signup("e10", 0, 1), Signup("q0", 1, 27)]));

        // Every partition moves on to epoch 3, so epochs 0-2 are sealed; the speed layer removes retries within a
        // partition only, and the batch layer corrects it.
        await TailsAsync(handler, "z", [23, 15, 2], seconds: 38);
        Assert.Equal(43m, (await Day0Async(context)).Value);
        Assert.Equal(OperationState.Completed, (await BatchRuns.RecomputeAsync(context, BuiltInViews.NewUsers)).State);
        Assert.Equal((32m, 32), await Day0Async(context));
        Assert.Equal(11, (await context.Pointers.GetAsync(NewUsers))!.DuplicatesRemoved);

        // Copies of e15-e19 in partition 2 after the cutoff: the incremental run finds them in the identity index.
        await handler.IngestAsync(new IngestBatch(2, [.. Signups("e", 15, 5, 3, 45), Signup("q1", 8, 45)]));
        await handler.IngestAsync(new IngestBatch(0, [Signup("g0", 24, 45)]));
        await handler.IngestAsync(new IngestBatch(1, [Signup("p5", 16, 45)]));
        await TailsAsync(handler, "w", [25, 17, 9], seconds: 55);
        var incremental = await BatchRuns.RecomputeAsync(context, BuiltInViews.NewUsers);
        Assert.Equal(OperationState.Completed, incremental.State);
        var pointer = (await context.Pointers.GetAsync(NewUsers))!;
        Assert.Equal(1, pointer.IdentityShards);
        Assert.True(pointer.Timings!.EventsRead < 20, $"the incremental run read {pointer.Timings.EventsRead} events");
        Assert.Equal((38m, 38), await Day0Async(context));
        Assert.Equal(16, pointer.DuplicatesRemoved);

        var audit = await Auditor(context, RecomputeInput.DefaultRetryHorizon)
            .RunAsync(new AuditRequest("new-users", 1, null, null, null, "global"));
        Assert.True(audit.Clean, string.Join("; ", audit.Mismatches));

        await BatchRuns.RecomputeAsync(context, BuiltInViews.NewUsers, full: true);
        Assert.Equal((38m, 38), await Day0Async(context));
    }

    /// <summary>One event of its own in each partition at <paramref name="seconds"/>, so that every partition has
    /// moved on to its epoch.</summary>
    private static async Task TailsAsync(IngestHandler handler, string prefix, long[] sequences, double seconds)
    {
        for (var partition = 0; partition < sequences.Length; partition++)
        {
            await handler.IngestAsync(
                new IngestBatch(partition, [Signup($"{prefix}{partition}", sequences[partition], seconds)])
            );
        }
    }

    [Fact]
    public async Task AResendLaterThanTheHorizonAfterEveryCopy_IsANewEvent_AndAnAuditWithALongerHorizonFindsIt()
    {
        await using var context = await PipelineContext.CreateAsync(
            azurite,
            epoch: TimeSpan.FromSeconds(10),
            settings: new Dictionary<string, string?> { ["Pipeline:RetryHorizon"] = "00:00:30" }
        );
        var handler = context.NewHandler();

        // r at 0 s in partition 0, a copy at 20 s in partition 1 (within 30 s: a retry).
        await handler.IngestAsync(new IngestBatch(0, [Signup("r", 0, 0), Signup("x0", 1, 21)]));
        await handler.IngestAsync(new IngestBatch(1, [Signup("r", 0, 20), Signup("x1", 1, 22)]));
        await TailsAsync(handler, "t", [2, 2], seconds: 31);
        await BatchRuns.RecomputeAsync(context, BuiltInViews.NewUsers);
        Assert.Equal((5m, 5), await Day0Async(context));

        // A copy at 60 s (40 s after the last copy: a new event), another at 80 s (20 s after that one: a retry).
        await handler.IngestAsync(new IngestBatch(1, [Signup("r", 3, 60), Signup("y1", 4, 86)]));
        await handler.IngestAsync(new IngestBatch(0, [Signup("r", 3, 80), Signup("y0", 4, 85)]));
        await TailsAsync(handler, "u", [5, 5], seconds: 95);
        await BatchRuns.RecomputeAsync(context, BuiltInViews.NewUsers);
        Assert.Equal((10m, 10), await Day0Async(context));
        await BatchRuns.RecomputeAsync(context, BuiltInViews.NewUsers, full: true);
        Assert.Equal((10m, 10), await Day0Async(context));

        var same = await Auditor(context, TimeSpan.FromSeconds(30))
            .RunAsync(new AuditRequest("new-users", 1, null, null, null, "same-horizon"));
        Assert.True(same.Clean, string.Join("; ", same.Mismatches));

        // With a horizon of a day, the copy at 60 s is a retry too: the batch view counted it once too often.
        var longer = await Auditor(context, TimeSpan.FromDays(1))
            .RunAsync(new AuditRequest("new-users", 1, null, null, null, "longer-horizon"));
        Assert.False(longer.Clean);
        Assert.Contains(new AuditMismatch(PipelineContext.Day(0), "batch", 7m, 8m), longer.Mismatches);
    }

    /// <summary>
    /// Chunks of about 10 records and settle shards of about 10 identities: a log many times what one activity may
    /// hold, with a third of its events resent to other partitions, is replayed exactly, and an incremental run
    /// reads an index written with another number of shards.
    /// </summary>
    [Fact]
    public async Task ALogLargerThanOneActivitysBudget_IsRecomputedExactly_FullAndIncremental()
    {
        await using var context = await PipelineContext.CreateAsync(
            azurite,
            epoch: TimeSpan.FromSeconds(10),
            foldChunkEvents: 10,
            settings: new Dictionary<string, string?> { ["Pipeline:SettleShardIdentities"] = "10" }
        );
        var handler = context.NewHandler();
        var random = new Random(19);
        var distinct = new HashSet<string>();
        var sequences = new long[4];

        async Task IngestEpochAsync(int epoch, int count)
        {
            var batches = Enumerable.Range(0, 4).Select(_ => new List<IncomingEvent>()).ToArray();
            for (var i = 0; i < count; i++)
            {
                var partition = random.Next(4);
                var id =
                    distinct.Count > 0 && random.Next(3) == 0
                        ? distinct.ElementAt(random.Next(distinct.Count))
                        : $"ev{epoch}-{i}";
                distinct.Add(id);
                batches[partition].Add(Signup(id, sequences[partition]++, (epoch * 10) + (i * 0.05)));
            }

            for (var partition = 0; partition < 4; partition++)
            {
                batches[partition].Add(Signup($"tail{epoch}-{partition}", sequences[partition]++, (epoch * 10) + 9));
                distinct.Add($"tail{epoch}-{partition}");
                await handler.IngestAsync(new IngestBatch(partition, [.. batches[partition]]));
            }
        }

        // The last epoch holds only the partitions' own tails, so the copies are all below the cutoff.
        for (var epoch = 0; epoch < 7; epoch++)
        {
            await IngestEpochAsync(epoch, epoch < 6 ? 40 : 0);
        }

        await BatchRuns.RecomputeAsync(context, BuiltInViews.NewUsers);
        var full = (await context.Pointers.GetAsync(NewUsers))!;
        Assert.True(full.IdentityShards >= 20, $"{full.IdentityShards} shards");
        Assert.Equal((distinct.Count, distinct.Count), await Day0Async(context) is var (v, e) ? ((int)v!, e) : default);

        // A replay at the same cutoff has the same plan: it finds the settling kept by the recompute, and its folds
        // write no copies of identities.
        await BatchRuns.RecomputeAsync(context, BuiltInViews.NewUsers, full: true);
        Assert.Equal(
            (distinct.Count, distinct.Count),
            await Day0Async(context) is var (r, re) ? ((int)r!, re) : default
        );
        var work = await context.Store.Work.GetBlobsAsync().Select(b => b.Name).ToListAsync();
        Assert.Contains(work, b => b.StartsWith("recompute.", StringComparison.Ordinal) && b.EndsWith(".copies"));
        Assert.DoesNotContain(work, b => b.StartsWith("replay.", StringComparison.Ordinal) && b.EndsWith(".copies"));
        Assert.Contains(work, b => b.StartsWith("replay.", StringComparison.Ordinal) && b.EndsWith(".partials"));

        await IngestEpochAsync(7, 20);
        await IngestEpochAsync(8, 0);

        await BatchRuns.RecomputeAsync(context, BuiltInViews.NewUsers);
        var incremental = (await context.Pointers.GetAsync(NewUsers))!;
        Assert.NotEqual(full.IdentityShards, incremental.IdentityShards);
        Assert.True(incremental.Timings!.EventsRead < 100, $"read {incremental.Timings.EventsRead} events");
        Assert.Equal(
            (distinct.Count, distinct.Count),
            await Day0Async(context) is var (v2, e2) ? ((int)v2!, e2) : default
        );

        var audit = await context
            .Get<AuditService>()
            .RunAsync(new AuditRequest("new-users", 1, null, null, null, "budget"));
        Assert.True(audit.Clean, string.Join("; ", audit.Mismatches));
    }
}
