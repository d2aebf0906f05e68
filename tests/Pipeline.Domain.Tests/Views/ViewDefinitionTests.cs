using Pipeline.Domain.Views;

namespace Pipeline.Domain.Tests.Views;

public class ViewDefinitionTests
{
    [Fact]
    public void BuiltInViews_HaveTheDocumentedKeyFormats()
    {
        Assert.Equal(
            [
                "active-users: yyyy-MM-dd",
                "new-users: yyyy-MM-dd",
                "page-views: yyyy-MM-ddTHH|{data.page}",
                "revenue: yyyy-MM-dd",
            ],
            BuiltInViews.All.Select(v => $"{v.Name}: {v.KeyFormat}")
        );
    }

    [Fact]
    public void TryGetKey_UsesUtcDayOfEventTime()
    {
        var e = TestEvents.Make("user.signup", "u1", time: "2026-11-21T00:30:00+01:00");

        Assert.True(BuiltInViews.NewUsers.TryGetKey(e, new DimensionInterner(), out var key));

        Assert.Equal("2026-11-20", key.Format(TimeWindow.Day));
    }

    [Fact]
    public void TryGetKey_PageViews_KeysByHourAndPage()
    {
        var e = TestEvents.Make("page.view", "u1", time: "2026-11-21T14:59:59Z", data: """{"page":"/pricing"}""");

        Assert.True(BuiltInViews.PageViews.TryGetKey(e, new DimensionInterner(), out var key));

        Assert.Equal("2026-11-21T14|/pricing", key.Format(TimeWindow.Hour));
    }

    [Fact]
    public void TryGetKey_EventOfOtherTypeOrWithoutDimension_IsNotTaken()
    {
        var interner = new DimensionInterner();

        Assert.False(BuiltInViews.NewUsers.TryGetKey(TestEvents.Make("page.view"), interner, out _));
        Assert.False(
            BuiltInViews.PageViews.TryGetKey(TestEvents.Make("page.view", data: """{"other":1}"""), interner, out _)
        );
        Assert.False(
            BuiltInViews.PageViews.TryGetKey(
                TestEvents.Make("page.view", data: """{"page":{"a":1}}"""),
                interner,
                out _
            )
        );
        Assert.False(
            BuiltInViews.PageViews.TryGetKey(TestEvents.Make("page.view", data: """{"page":null}"""), interner, out _)
        );
    }

    [Fact]
    public void TryGetKey_ANumberOrBooleanDimension_IsKeyedByItsJsonText()
    {
        var interner = new DimensionInterner();

        Assert.True(
            BuiltInViews.PageViews.TryGetKey(
                TestEvents.Make("page.view", data: """{"page":4.20}"""),
                interner,
                out var key
            )
        );
        Assert.Equal("4.20", key.Dimension);
        Assert.True(
            BuiltInViews.PageViews.TryGetKey(TestEvents.Make("page.view", data: """{"page":true}"""), interner, out key)
        );
        Assert.Equal("true", key.Dimension);
    }

    [Theory]
    [InlineData("new-users", "2026-11-21", true, "")]
    [InlineData("new-users", "2026-11-21T10", false, "yyyy-MM-dd")]
    [InlineData("new-users", "2026-02-30", false, "yyyy-MM-dd")]
    [InlineData("new-users", "", false, "a key is required")]
    [InlineData("new-users", "2026-11-21|x", false, "does not match")]
    [InlineData("page-views", "2026-11-21T10|/home", true, "")]
    [InlineData("page-views", "2026-11-21T10", false, "does not match")]
    [InlineData("page-views", "2026-11-21|/home", false, "yyyy-MM-ddTHH")]
    public void TryParseKey_AcceptsOnlyTheViewsFormat(string view, string text, bool valid, string errorPart)
    {
        var definition = BuiltInViews.All.Single(v => v.Name == view);

        Assert.Equal(valid, definition.TryParseKey(text, out var key, out var error));
        Assert.Contains(errorPart, error, StringComparison.Ordinal);
        if (valid)
        {
            Assert.Equal(text, key.Format(definition.Window));
        }
    }

    [Theory]
    [InlineData("New-Users")]
    [InlineData("1views")]
    [InlineData("a b")]
    [InlineData("")]
    public void Named_InvalidName_IsRefused(string name)
    {
        Assert.ThrowsAny<ArgumentException>(() =>
            ViewDefinition.Named(name, 1).Aggregate(Pipeline.Domain.Aggregations.Aggregation.Count())
        );
    }

    [Fact]
    public void Registry_FindsVersions_AndRefusesDuplicates()
    {
        var v2 = ViewDefinition.Named("new-users", 2).Aggregate(Pipeline.Domain.Aggregations.Aggregation.Count());
        var registry = new ViewRegistry([.. BuiltInViews.All, v2]);

        Assert.True(registry.TryGet("new-users", null, out var latest));
        Assert.Equal(2, latest.Version);
        Assert.True(registry.TryGet("new-users", 1, out var first));
        Assert.Same(BuiltInViews.NewUsers, first);
        Assert.False(registry.TryGet("no-such-view", null, out _));
        Assert.Throws<ArgumentException>(() => new ViewRegistry([v2, v2]));
    }

    [Fact]
    public void Accumulator_CountsEventsTimedByEnqueue()
    {
        var accumulator = new ViewAccumulator(BuiltInViews.NewUsers);
        accumulator.Add(TestEvents.Make("user.signup", "u1", time: null));
        accumulator.Add(TestEvents.Make("user.signup", "u2", time: "2026-11-21T11:00:00Z"));
        accumulator.Add(TestEvents.Make("page.view", "u2"));

        var partial = Assert.Single(accumulator.Partials).Value;

        Assert.Equal(2, partial.Events);
        Assert.Equal(1, partial.EventsTimedByEnqueue);
    }
}
