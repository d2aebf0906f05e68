using System.Text;
using Pipeline.Application.Ingest;
using Pipeline.Application.Quarantine;
using Pipeline.Domain.Aggregations;
using Pipeline.Domain.Events;
using Pipeline.Domain.Views;
using Pipeline.Testing;

namespace Pipeline.Application.Tests;

/// <summary>No single event can stop a partition: keys fit storage for every value, and what cannot be applied is
/// quarantined.</summary>
[Collection(UsesAzurite.Name)]
public class PoisonEventTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task APageWhoseKeyEscapesBeyondStoragesLimit_IsCountedInSpeedAndBatch_WithTheWholeValueKept()
    {
        await using var context = await PipelineContext.CreateAsync(azurite, epoch: TimeSpan.FromSeconds(10));
        var page = string.Concat(Enumerable.Repeat("a/", 140)) + "a"; // 281 characters, every '/' escaped in a key
        var bodies = new[]
        {
            PipelineContext.Event("p1", "page.view", "u1", 0, $$"""{"page":"{{page}}"}"""),
            PipelineContext.Event("p2", "page.view", "u2", 0, $$"""{"page":"{{page}}"}"""),
            PipelineContext.Event("p3", "page.view", "u3", 0, """{"page":"/short"}"""),
        };
        await context.NewHandler().IngestAsync(new IngestBatch(0, PipelineContext.Incoming(bodies)));
        var key = $"{PipelineContext.Day(0)}T10|{page}";

        Assert.Equal(2m, await context.ValueAsync(BuiltInViews.PageViews, key));
        Assert.Equal(1m, await context.ValueAsync(BuiltInViews.PageViews, $"{PipelineContext.Day(0)}T10|/short"));

        await context
            .NewHandler()
            .IngestAsync(
                new IngestBatch(
                    0,
                    PipelineContext.Incoming([PipelineContext.Event("x", "user.signup", "u", 0)], first: 3)
                )
            );
        context.Time.SetUtcNow(PipelineContext.Start.AddMinutes(5));
        Assert.Equal(
            Operations.OperationState.Completed,
            (await BatchRuns.RecomputeAsync(context, BuiltInViews.PageViews)).State
        );
        var answer = await context.Queries.QueryKeyAsync(BuiltInViews.PageViews, Key(key));
        Assert.Equal((2m, true), (answer.Result.Value, answer.Provenance.CoveredByBatch));
        var range = await context.Queries.QueryRangeAsync(
            BuiltInViews.PageViews,
            Key(PipelineContext.Day(0) + "T10"),
            Key(PipelineContext.Day(0) + "T10")
        );
        Assert.Contains(range, a => a.Key.Dimension == page && a.Result.Value == 2m);
    }

    [Fact]
    public async Task AnEventAViewCannotApply_IsQuarantinedWithTheReason_AndThePartitionGoesOn()
    {
        await using var context = await PipelineContext.CreateAsync(azurite);
        var fragile = ViewDefinition
            .Named("fragile", 1)
            .Where(
                EventFilter.Where(
                    "throws on one subject",
                    (in CloudEvent e) =>
                        e.SubjectString == "poison"
                            ? throw new InvalidOperationException("this view cannot take it")
                            : true
                )
            )
            .Per(TimeWindow.Day)
            .Aggregate(Aggregation.Count());
        var handler = context.NewHandler(new ViewRegistry([fragile]));
        var bodies = new[]
        {
            PipelineContext.Event("1", "user.signup", "a", 0),
            PipelineContext.Event("2", "user.signup", "poison", 0),
            PipelineContext.Event("3", "user.signup", "b", 0),
        };

        var result = await handler.IngestAsync(new IngestBatch(0, PipelineContext.Incoming(bodies)));
        var next = await handler.IngestAsync(
            new IngestBatch(0, PipelineContext.Incoming([PipelineContext.Event("4", "user.signup", "c", 0)], first: 3))
        );

        Assert.Equal(new IngestResult(2, 1, 0, 0, [1]), result);
        Assert.Equal(1, next.Accepted);
        Assert.Equal(3, (await context.Progress.GetAsync(0)).LastSequence);
        var entry = Assert.Single((await context.Get<QuarantineReader>().ListAsync(null, 10)).Items);
        Assert.Equal((nameof(RejectionReason.CannotApply), 1L), (entry.Reason, entry.SequenceNumber));
        Assert.Contains("this view cannot take it", entry.Message, StringComparison.Ordinal);
        var speed = new Serving.ViewQueryService(
            context.Store,
            context.Pointers,
            new ViewRegistry([fragile]),
            context.Time
        );
        Assert.True(fragile.TryParseKey(PipelineContext.Day(0), out var day, out _));
        Assert.Equal(3m, (await speed.QueryKeyAsync(fragile, day)).Result.Value);
    }

    private static ViewKey Key(string text) =>
        BuiltInViews.PageViews.TryParseRangeEnd(text, out var key, out var error)
            ? key
            : throw new InvalidOperationException(error);
}
