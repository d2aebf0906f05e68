using System.Text;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Pipeline.Application.Audit;
using Pipeline.Application.Batch;
using Pipeline.Application.Configuration;
using Pipeline.Application.Ingest;
using Pipeline.Application.Serving;
using Pipeline.Application.Versions;
using Pipeline.Domain.Epochs;
using Pipeline.Domain.Views;
using Pipeline.Storage.Tables;
using Pipeline.Testing;

namespace Pipeline.Application.Tests;

/// <summary>Audits compare what the speed layer said for epochs it has retired with the raw log.</summary>
[Collection(UsesBatchAzurite.Name)]
public class SpeedAuditTests(AzuriteFixture azurite)
{
    private static IncomingEvent At(string body, long sequence, double seconds) =>
        new(Encoding.UTF8.GetBytes(body), sequence, PipelineContext.Start.AddSeconds(seconds));

    private static AuditService Auditor(PipelineContext context) =>
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
            context.Get<IOptions<PipelineOptions>>()
        );

    private static SpeedRetirement Retirement(PipelineContext context) =>
        new(context.Store, context.Pointers, context.Get<VersionStore>());

    [Fact]
    public async Task AProducerRetryThatTheSpeedLayerCountedTwice_IsASpeedMismatch_RecordedOnceEvenIfRetirementRunsAgain()
    {
        // 10-second epochs, a 30-second de-duplication window: the retry of s3 at 50 s is past the speed layer's
        // memory.
        await using var context = await PipelineContext.CreateAsync(
            azurite,
            epoch: TimeSpan.FromSeconds(10),
            dedupWindow: TimeSpan.FromSeconds(30)
        );
        var handler = context.NewHandler();
        var signups = Enumerable
            .Range(0, 10)
            .Select(i => At(PipelineContext.Event($"s{i}", "user.signup", $"u{i}", 0), i, i * 0.1));
        await handler.IngestAsync(new IngestBatch(0, [.. signups]));
        await handler.IngestAsync(
            new IngestBatch(0, [At(PipelineContext.Event("s3", "user.signup", "u3", 0), 10, 50)])
        );
        await handler.IngestAsync(
            new IngestBatch(0, [At(PipelineContext.Event("s10", "user.signup", "u10", 0), 11, 60)])
        );
        await BatchRuns.RecomputeAsync(context, BuiltInViews.NewUsers);
        var cutoff = (await context.Pointers.GetAsync(new Pipeline.Domain.Views.ViewVersion("new-users", 1)))!.Cutoff;
        var first = new EpochClock(TimeSpan.FromSeconds(10)).EpochOf(PipelineContext.Start);
        Assert.Equal(first + 6, cutoff);

        var beforeRetirement = Auditor(context);
        Assert.Null(
            (await beforeRetirement.RunAsync(new AuditRequest("new-users", 1, null, null, null, "before"))).Speed
        );

        var speedRows = (await context.Store.Speed.QueryAsync<TableEntity>().ToListAsync())
            .Where(r => r.PartitionKey.StartsWith("new-users@1.", StringComparison.Ordinal))
            .ToList();
        Assert.Equal(
            2,
            await Retirement(context).RetireAsync(BuiltInViews.NewUsers, TimeSpan.Zero, context.Time.GetUtcNow())
        );
        var report = await Auditor(context).RunAsync(new AuditRequest("new-users", 1, null, null, null, "after"));

        Assert.True(report.Clean);
        Assert.Equal(new SpeedComparison(first, cutoff, 1, null), report.Speed);
        Assert.Equal([new AuditMismatch(PipelineContext.Day(0), "speed", 10m, 11m)], report.Mismatches);
        Assert.Equal(11m, await context.ValueAsync(BuiltInViews.NewUsers, PipelineContext.Day(0)));

        // A retirement that crashed after keeping its record and before deleting a row runs again: the row is not
        // recorded twice.
        var undeleted = speedRows.First(r => r.GetInt64("Epoch") == first);
        await context.Store.Speed.UpsertEntityAsync(undeleted, TableUpdateMode.Replace);
        Assert.Equal(
            1,
            await Retirement(context).RetireAsync(BuiltInViews.NewUsers, TimeSpan.Zero, context.Time.GetUtcNow())
        );
        var again = await Auditor(context).RunAsync(new AuditRequest("new-users", 1, null, null, null, "again"));
        Assert.Equal([new AuditMismatch(PipelineContext.Day(0), "speed", 10m, 11m)], again.Mismatches);
    }

    [Fact]
    public async Task SpeedEstimatesOfRetiredEpochs_AreMeasuredAgainstExactCountsFromTheLog()
    {
        await using var context = await PipelineContext.CreateAsync(azurite, epoch: TimeSpan.FromSeconds(10));
        var handler = context.NewHandler();

        // Two epochs of 3,000 different users each: too many members to store per row, so the speed layer merges
        // sketches.
        IncomingEvent[] Users(int first, double seconds) =>
            [
                .. Enumerable
                    .Range(first, 3_000)
                    .Select(i =>
                        At(PipelineContext.Event($"v{i}", "page.view", $"user-{i}", 0, """{"page":"/"}"""), i, seconds)
                    ),
            ];
        await handler.IngestAsync(new IngestBatch(0, Users(0, 1)));
        await handler.IngestAsync(new IngestBatch(0, Users(3_000, 11)));
        await handler.IngestAsync(
            new IngestBatch(
                0,
                [At(PipelineContext.Event("last", "page.view", "user-last", 1, """{"page":"/"}"""), 6_000, 21)]
            )
        );
        await BatchRuns.RecomputeAsync(context, BuiltInViews.ActiveUsers);
        await Retirement(context).RetireAsync(BuiltInViews.ActiveUsers, TimeSpan.Zero, context.Time.GetUtcNow());

        var report = await Auditor(context).RunAsync(new AuditRequest("active-users", 1, null, null, null, "hll"));

        Assert.True(report.Clean, string.Join("; ", report.Mismatches));
        Assert.Empty(report.Mismatches);
        var approximation = Assert.IsType<ApproximationError>(report.Speed?.Approximation);
        Assert.Equal(1, approximation.Answers);
        Assert.InRange(approximation.MaxRelativeError, 0, 0.05);
        Assert.Equal(6_000m, await context.ValueAsync(BuiltInViews.ActiveUsers, PipelineContext.Day(0)));
    }
}
