using System.Text;
using Pipeline.Application.Ingest;
using Pipeline.Application.Quarantine;
using Pipeline.Application.RawLog;
using Pipeline.Domain.Views;
using Pipeline.Testing;

namespace Pipeline.Application.Tests;

[Collection(UsesAzurite.Name)]
public class IngestContentTests(AzuriteFixture azurite)
{
    private static IncomingEvent At(string body, long sequence, TimeSpan after) =>
        new(Encoding.UTF8.GetBytes(body), sequence, PipelineContext.Start + after);

    [Fact]
    public async Task ProducerRetry_InsideTheWindow_IsCountedOnce()
    {
        await using var context = await PipelineContext.CreateAsync(azurite, dedupWindow: TimeSpan.FromMinutes(15));
        var signup = PipelineContext.Event("same-id", "user.signup", "u1", 0);

        var result = await context
            .NewHandler()
            .IngestAsync(new IngestBatch(0, [At(signup, 0, TimeSpan.Zero), At(signup, 1, TimeSpan.FromMinutes(14))]));

        Assert.Equal(1, result.ProducerRetries);
        Assert.Equal(1m, await context.ValueAsync(BuiltInViews.NewUsers, PipelineContext.Day(0)));
    }

    [Fact]
    public async Task ProducerRetry_OutsideTheWindow_IsCountedAgainBySpeed()
    {
        await using var context = await PipelineContext.CreateAsync(azurite, dedupWindow: TimeSpan.FromMinutes(15));
        var signup = PipelineContext.Event("same-id", "user.signup", "u1", 0);

        await context
            .NewHandler()
            .IngestAsync(new IngestBatch(0, [At(signup, 0, TimeSpan.Zero), At(signup, 1, TimeSpan.FromMinutes(16))]));

        Assert.Equal(2m, await context.ValueAsync(BuiltInViews.NewUsers, PipelineContext.Day(0)));
    }

    [Fact]
    public async Task ProducerRetry_AfterARestart_IsStillCountedOnce()
    {
        await using var context = await PipelineContext.CreateAsync(
            azurite,
            epoch: TimeSpan.FromSeconds(30),
            dedupWindow: TimeSpan.FromMinutes(15)
        );
        var signup = PipelineContext.Event("same-id", "user.signup", "u1", 0);
        await context.NewHandler().IngestAsync(new IngestBatch(0, [At(signup, 0, TimeSpan.Zero)]));

        // A new process remembers recent ids from the raw log.
        var result = await context
            .NewHandler()
            .IngestAsync(
                new IngestBatch(
                    0,
                    [
                        At(PipelineContext.Event("other", "user.signup", "u2", 0), 1, TimeSpan.FromMinutes(5)),
                        At(signup, 2, TimeSpan.FromMinutes(10)),
                    ]
                )
            );

        Assert.Equal(1, result.ProducerRetries);
        Assert.Equal(2m, await context.ValueAsync(BuiltInViews.NewUsers, PipelineContext.Day(0)));
    }

    [Fact]
    public async Task SameIdFromAnotherSource_IsADifferentEvent()
    {
        await using var context = await PipelineContext.CreateAsync(azurite);

        await context
            .NewHandler()
            .IngestAsync(
                new IngestBatch(
                    0,
                    PipelineContext.Incoming([
                        PipelineContext.Event("1", "user.signup", "u1", 0, source: "/web"),
                        PipelineContext.Event("1", "user.signup", "u2", 0, source: "/mobile"),
                    ])
                )
            );

        Assert.Equal(2m, await context.ValueAsync(BuiltInViews.NewUsers, PipelineContext.Day(0)));
    }

    [Fact]
    public async Task MixedBatch_QuarantinesTheBadWithReasonsAndBytes_AndLogsTheGood()
    {
        await using var context = await PipelineContext.CreateAsync(azurite);
        var bodies = new[]
        {
            PipelineContext.Event("1", "order.placed", "u1", 1, """{"amount":"19.99"}"""),
            """{"specversion":"1.0","id":"2","source":"/s","type":"order.placed","time":"not a time"}""",
            PipelineContext.Event("3", "order.placed", "u2", 1, """{"amount":0.01}"""),
            "\u00ff not json",
        };

        var result = await context
            .NewHandler()
            .IngestAsync(new IngestBatch(2, PipelineContext.Incoming(bodies, first: 40)));

        Assert.Equal(new IngestResult(2, 2, 0, 0, [41, 43]), result);
        Assert.Equal(20.00m, await context.ValueAsync(BuiltInViews.Revenue, PipelineContext.Day(1)));
        var page = await context.Get<QuarantineReader>().ListAsync(null, 50);
        Assert.Equal(
            [(2, 41L, "InvalidTime"), (2, 43L, "InvalidJson")],
            page.Items.Select(q => (q.Partition, q.SequenceNumber, q.Reason))
        );
        Assert.Equal(bodies[3], page.Items[1].Body);
        Assert.Null(page.Items[1].BodyBase64);
        Assert.Equal(PipelineContext.Start.AddSeconds(41), page.Items[0].EnqueuedTime);

        var segment = Assert.Single(await context.RawSegmentsAsync());
        var logged = new List<long>();
        using var download = (await context.Store.Raw.GetBlobClient(segment).DownloadStreamingAsync()).Value;
        await RawSegmentReader.ReadAsync(
            download.Content,
            segment,
            records => logged.AddRange(records.Select(r => r.SequenceNumber))
        );
        Assert.Equal([40L, 42L], logged);
    }

    [Fact]
    public async Task AllMalformedBatch_WritesNoSegment_ButAdvancesProgress()
    {
        await using var context = await PipelineContext.CreateAsync(azurite);

        var result = await context
            .NewHandler()
            .IngestAsync(new IngestBatch(1, PipelineContext.Incoming(["{", "[]", "{\"id\":1}"], first: 7)));

        Assert.Equal(new IngestResult(0, 3, 0, 0, [7, 8, 9]), result);
        Assert.Empty(await context.RawSegmentsAsync());
        Assert.Equal(9, (await context.Progress.GetAsync(1)).LastSequence);
        var page = await context.Get<QuarantineReader>().ListAsync(null, 2);
        Assert.Equal(2, page.Items.Count);
        Assert.NotNull(page.Continuation);
    }

    [Fact]
    public async Task BatchSpanningTwoEpochs_WritesOneSegmentPerEpoch()
    {
        await using var context = await PipelineContext.CreateAsync(azurite, epoch: TimeSpan.FromSeconds(10));
        var handler = context.NewHandler();
        var events = PipelineContext.Incoming(
            Enumerable.Range(0, 15).Select(i => PipelineContext.Event($"e{i}", "page.view", "u", 0, """{"page":"/"}"""))
        );
        var epoch = handler.Clock.EpochOf(PipelineContext.Start);

        await handler.IngestAsync(new IngestBatch(3, events));

        Assert.Equal(
            [RawSegments.Name(epoch, 3, 0, 9), RawSegments.Name(epoch + 1, 3, 10, 14)],
            await context.RawSegmentsAsync()
        );
        Assert.Equal(15m, await context.ValueAsync(BuiltInViews.PageViews, "2026-11-18T10|/"));
    }

    [Fact]
    public async Task EventWithoutTime_IsPlacedByEnqueuedTime_AndProvenanceSaysSo()
    {
        await using var context = await PipelineContext.CreateAsync(azurite);

        await context
            .NewHandler()
            .IngestAsync(
                new IngestBatch(
                    0,
                    PipelineContext.Incoming([
                        """{"specversion":"1.0","id":"x","source":"/s","type":"user.signup","subject":"u"}""",
                    ])
                )
            );

        Assert.True(BuiltInViews.NewUsers.TryParseKey("2026-11-21", out var key, out _));
        var answer = await context.Queries.QueryKeyAsync(BuiltInViews.NewUsers, key);
        Assert.Equal(1m, answer.Result.Value);
        Assert.Equal(1, answer.Provenance.EventsTimedByEnqueue);
    }
}
