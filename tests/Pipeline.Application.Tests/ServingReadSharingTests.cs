using System.Text;
using Pipeline.Application.Ingest;
using Pipeline.Application.Serving;
using Pipeline.Domain.Views;
using Pipeline.Testing;

namespace Pipeline.Application.Tests;

/// <summary>
/// After a commit every query misses the batch row cache at once; concurrent misses share one read
/// instead of each sending its own (a range scan each, before).
/// </summary>
[Collection(UsesAzurite.Name)]
public class ServingReadSharingTests(AzuriteFixture azurite)
{
    private const int Callers = 20;

    private static async Task<PipelineContext> CommittedAsync(AzuriteFixture azurite)
    {
        await using var context = await PipelineContext.CreateAsync(azurite, epoch: TimeSpan.FromSeconds(10));
        var handler = context.NewHandler();
        await handler.IngestAsync(
            new IngestBatch(
                0,
                [
                    .. Enumerable
                        .Range(0, 30)
                        .Select(i => new IncomingEvent(
                            Encoding.UTF8.GetBytes(PipelineContext.Event($"e{i}", "user.signup", $"u{i}", i % 3)),
                            i,
                            PipelineContext.Start.AddSeconds(i * 0.1)
                        )),
                ]
            )
        );
        await handler.IngestAsync(
            new IngestBatch(
                0,
                [
                    new IncomingEvent(
                        Encoding.UTF8.GetBytes(PipelineContext.Event("late", "user.signup", "u", 1)),
                        30,
                        PipelineContext.Start.AddSeconds(10)
                    ),
                ]
            )
        );
        await BatchRuns.RecomputeAsync(context, BuiltInViews.NewUsers);
        return context;
    }

    private static ViewKey Key(int day) =>
        BuiltInViews.NewUsers.TryParseKey(PipelineContext.Day(day), out var key, out _)
            ? key
            : throw new InvalidOperationException();

    [Fact]
    public async Task ConcurrentColdRangeQueries_ShareOneBatchScan()
    {
        var context = await CommittedAsync(azurite);
        var cold = new ViewQueryService(
            context.Store,
            context.Pointers,
            ViewRegistry.BuiltIn(),
            context.Time,
            pointerLifetime: TimeSpan.FromMinutes(1)
        );
        await cold.QueryRangeAsync(BuiltInViews.NewUsers, Key(0), Key(0)); // the pointer is known; days 1 and 2 are not

        using var count = StorageRequestCount.Start();
        var answers = await Task.WhenAll(
            Enumerable.Range(0, Callers).Select(_ => cold.QueryRangeAsync(BuiltInViews.NewUsers, Key(0), Key(2)))
        );
        var requests = count.Requests;

        Assert.All(answers, a => Assert.Equal([10m, 11m, 10m], a.Select(k => k.Result.Value)));
        // One scan of the batch days; the speed rows in a few shared rounds (a caller that comes in while a read
        // runs waits for the next one; on a busy machine the callers' arrivals span a few reads). Without sharing,
        // each of the callers would send its own two reads.
        Assert.InRange(requests, 2, 6);
    }

    [Fact]
    public async Task ConcurrentColdKeyQueries_ShareOnePointRead()
    {
        var context = await CommittedAsync(azurite);
        var cold = new ViewQueryService(
            context.Store,
            context.Pointers,
            ViewRegistry.BuiltIn(),
            context.Time,
            pointerLifetime: TimeSpan.FromMinutes(1)
        );
        await cold.QueryKeyAsync(BuiltInViews.NewUsers, Key(0)); // the pointer is known; day 1's row is not

        using var count = StorageRequestCount.Start();
        var answers = await Task.WhenAll(
            Enumerable.Range(0, Callers).Select(_ => cold.QueryKeyAsync(BuiltInViews.NewUsers, Key(1)))
        );
        var requests = count.Requests;

        Assert.All(answers, a => Assert.Equal(11m, a.Result.Value));
        // One point read of the batch row; the speed rows in a few shared rounds (a caller that comes in while a
        // read runs waits for the next one; on a busy machine the callers' arrivals span a few reads). Without
        // sharing, each of the callers would send its own two reads.
        Assert.InRange(requests, 2, 6);
    }
}
