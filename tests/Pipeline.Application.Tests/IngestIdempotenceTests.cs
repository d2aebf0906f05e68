using Pipeline.Application.Ingest;
using Pipeline.Application.RawLog;
using Pipeline.Domain.Views;
using Pipeline.Testing;

namespace Pipeline.Application.Tests;

[Collection(UsesAzurite.Name)]
public class IngestIdempotenceTests(AzuriteFixture azurite)
{
    /// <summary>300 sign-ups by 37 users over 3 days: 100 a day; active users per day follow from i % 37.</summary>
    private static readonly string[] Signups =
    [
        .. Enumerable.Range(0, 300).Select(i => PipelineContext.Event($"e{i}", "user.signup", $"user-{i % 37}", i % 3)),
    ];

    private static async Task AssertExactAsync(PipelineContext context)
    {
        for (var day = 0; day < 3; day++)
        {
            var expectedActive = Enumerable
                .Range(0, 300)
                .Where(i => i % 3 == day)
                .Select(i => i % 37)
                .Distinct()
                .Count();
            Assert.Equal((100m, 100L), await context.AnswerAsync(BuiltInViews.NewUsers, PipelineContext.Day(day)));
            Assert.Equal(expectedActive, await context.ValueAsync(BuiltInViews.ActiveUsers, PipelineContext.Day(day)));
        }
    }

    [Fact]
    public async Task Ingest_SameBatchAgain_ChangesNothing()
    {
        await using var context = await PipelineContext.CreateAsync(azurite);
        var handler = context.NewHandler();
        var batch = new IngestBatch(0, PipelineContext.Incoming(Signups));
        var first = await handler.IngestAsync(batch);
        var rows = await context.SpeedSnapshotAsync();
        var segments = await context.RawSegmentsAsync();

        var again = await handler.IngestAsync(batch);

        Assert.Equal(new IngestResult(300, 0, 0, 0), first);
        Assert.Equal(300, again.AlreadyApplied);
        Assert.Equal(rows, await context.SpeedSnapshotAsync());
        Assert.Equal(segments, await context.RawSegmentsAsync());
        await AssertExactAsync(context);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(57)]
    [InlineData(299)]
    public async Task Ingest_RedeliveredPrefix_ChangesNothing(int prefix)
    {
        await using var context = await PipelineContext.CreateAsync(azurite);
        var handler = context.NewHandler();
        var events = PipelineContext.Incoming(Signups);
        await handler.IngestAsync(new IngestBatch(0, events));
        var rows = await context.SpeedSnapshotAsync();

        await handler.IngestAsync(new IngestBatch(0, events[..prefix]));
        await context.NewHandler().IngestAsync(new IngestBatch(0, events[..prefix]));

        Assert.Equal(rows, await context.SpeedSnapshotAsync());
        await AssertExactAsync(context);
    }

    [Fact]
    public async Task Ingest_RedeliveryWithOtherBoundaries_CountsEachEventOnce()
    {
        await using var context = await PipelineContext.CreateAsync(azurite);
        var handler = context.NewHandler();
        var events = PipelineContext.Incoming(Signups);

        foreach (var (from, to) in new[] { (0, 100), (50, 180), (100, 300), (180, 300), (0, 300), (120, 121) })
        {
            await handler.IngestAsync(new IngestBatch(0, events[from..to]));
        }

        await AssertExactAsync(context);
        Assert.Contains(
            RawSegments.Name(context.NewHandler().Clock.EpochOf(PipelineContext.Start), 0, 50, 59),
            await context.RawSegmentsAsync()
        );
    }

    [Fact]
    public async Task Ingest_PartlyAppliedByAnotherProcess_AppliesOnlyTheRest()
    {
        await using var context = await PipelineContext.CreateAsync(azurite);
        var events = PipelineContext.Incoming(Signups);
        await context.NewHandler().IngestAsync(new IngestBatch(0, events[..170]));

        // A fresh process (empty cache) gets a batch that overlaps what is already applied.
        await context.NewHandler().IngestAsync(new IngestBatch(0, events[90..]));

        await AssertExactAsync(context);
    }

    [Fact]
    public async Task Ingest_SamePartitionByTwoProcessesAtOnce_CountsEachEventOnce()
    {
        await using var context = await PipelineContext.CreateAsync(azurite);
        var events = PipelineContext.Incoming(Signups);
        var left = context.NewHandler();
        var right = context.NewHandler();

        // During a rebalance both owners deliver the partition, with different batch boundaries.
        await Task.WhenAll(
            Task.Run(async () =>
            {
                foreach (var chunk in events.Chunk(40))
                {
                    await left.IngestAsync(new IngestBatch(0, chunk));
                }
            }),
            Task.Run(async () =>
            {
                foreach (var chunk in events.Chunk(65))
                {
                    await right.IngestAsync(new IngestBatch(0, chunk));
                }
            })
        );

        await AssertExactAsync(context);
        Assert.Equal(299, (await context.Progress.GetAsync(0)).LastSequence);
    }

    [Fact]
    public async Task Ingest_OfSeveralPartitions_KeepsTheirProgressApart()
    {
        await using var context = await PipelineContext.CreateAsync(azurite);
        var handler = context.NewHandler();

        await Task.WhenAll(
            handler.IngestAsync(new IngestBatch(0, PipelineContext.Incoming(Signups[..150]))),
            handler.IngestAsync(new IngestBatch(1, PipelineContext.Incoming(Signups[150..], first: 1000)))
        );

        await AssertExactAsync(context);
        var progress = await context.Progress.ListAsync();
        Assert.Equal([(0, 149L), (1, 1149L)], progress.Select(p => (p.Partition, p.LastSequence)));
        Assert.Equal(PipelineContext.Start.AddSeconds(1149), progress[1].Watermark);
    }
}
