using Pipeline.Domain.Aggregations;
using Pipeline.Domain.Events;
using Pipeline.Domain.Views;

namespace Pipeline.Domain.Tests.Views;

/// <summary>The windows a view groups by: starts, next windows, counts between, and key text both ways.</summary>
public sealed class TimeWindowTests
{
    private static DateTime Utc(int year, int month, int day, int hour = 0, int minute = 0) =>
        new(year, month, day, hour, minute, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData(TimeWindow.Minute, "2026-12-31T23:59", "2026-12-31T23:59")]
    [InlineData(TimeWindow.Hour, "2026-12-31T23:59", "2026-12-31T23")]
    [InlineData(TimeWindow.Day, "2026-12-31T23:59", "2026-12-31")]
    [InlineData(TimeWindow.Week, "2027-01-01T10:00", "2026-W53")] // a Friday in the ISO year 2026
    [InlineData(TimeWindow.Week, "2027-01-04T00:00", "2027-W01")] // Monday: a new week
    [InlineData(TimeWindow.Week, "2027-01-03T23:59", "2026-W53")] // Sunday: still the old one
    [InlineData(TimeWindow.Month, "2026-02-28T23:59", "2026-02")]
    public void AnEventTime_FallsInTheWindowItsKeyNames(TimeWindow window, string time, string key)
    {
        var start = window.StartOf(
            DateTimeOffset.Parse(time + ":30Z", System.Globalization.CultureInfo.InvariantCulture)
        );

        Assert.Equal(key, window.FormatStart(start));
        Assert.True(window.TryParseStart(key, out var parsed));
        Assert.Equal((start, DateTimeKind.Utc), (parsed, parsed.Kind));
        Assert.True(TimeWindows.TryDetect(key, out var detected, out _));
        Assert.Equal(window, detected);
    }

    [Fact]
    public void Weeks_StartOnMonday_AndNextAndBetween_CountWholeWindows()
    {
        Assert.Equal(Utc(2026, 12, 28), TimeWindow.Week.StartOf(Utc(2027, 1, 3, 23, 59)));
        Assert.Equal(Utc(2027, 1, 4), TimeWindow.Week.Next(Utc(2026, 12, 28)));
        Assert.Equal(Utc(2026, 3, 1), TimeWindow.Month.Next(Utc(2026, 2, 1)));
        Assert.Equal(12, TimeWindow.Month.Between(Utc(2026, 1, 1), Utc(2027, 1, 1)));
        Assert.Equal(53, TimeWindow.Week.Between(Utc(2025, 12, 29), Utc(2027, 1, 4)));
        Assert.Equal(1440, TimeWindow.Minute.Between(Utc(2026, 12, 1), Utc(2026, 12, 2)));
        Assert.Equal(-1, TimeWindow.Day.Between(Utc(2026, 12, 2), Utc(2026, 12, 1)));
    }

    [Theory]
    [InlineData(TimeWindow.Week, "2026-W54")] // 2026 has 53 ISO weeks
    [InlineData(TimeWindow.Week, "2027-W53")] // 2027 has 52
    [InlineData(TimeWindow.Week, "2026-W00")]
    [InlineData(TimeWindow.Week, "2026-w01")]
    [InlineData(TimeWindow.Week, "2026-W1")]
    [InlineData(TimeWindow.Month, "2026-13")]
    [InlineData(TimeWindow.Minute, "2026-12-01T10")]
    [InlineData(TimeWindow.Minute, "2026-12-01T10:60")]
    public void AKeyOfNoSuchWindow_DoesNotParse(TimeWindow window, string key) =>
        Assert.False(window.TryParseStart(key, out _));

    [Fact]
    public void AViewOfSeveralDimensions_KeysEachValueEscaped_AndParsesOnlyWholeKeys()
    {
        var view = ViewDefinition
            .Named("by-two", 1)
            .Per(TimeWindow.Day, [EventField.Attribute("tenant"), EventField.Data("region")])
            .Aggregate(Aggregation.Count());
        var utf8 = System.Text.Encoding.UTF8.GetBytes(
            """{"specversion":"1.0","id":"1","source":"/s","type":"t","time":"2026-12-02T10:00:00Z","tenant":"a|b%","data":{"region":"eu"}}"""
        );
        Assert.True(CloudEventParser.TryParse(utf8, DateTimeOffset.UnixEpoch, out var cloudEvent, out _));

        Assert.True(view.TryGetKey(cloudEvent, new DimensionInterner(), out var key));

        Assert.Equal("2026-12-02|a%7Cb%25|eu", key.Format(view.Window));
        Assert.Equal("yyyy-MM-dd|{tenant}|{data.region}", view.KeyFormat);
        Assert.True(view.TryParseKey("2026-12-02|a%7Cb%25|eu", out var parsed, out _));
        Assert.Equal(key, parsed);
        Assert.False(view.TryParseKey("2026-12-02|a|b|eu", out _, out var error));
        Assert.StartsWith(
            "key '2026-12-02|a|b|eu' has 3 dimension values; view 'by-two' has 2",
            error,
            StringComparison.Ordinal
        );
        Assert.True(view.TryParseRangeEnd("2026-12-02", out var every, out _));
        Assert.Null(every.Dimension);
    }

    [Fact]
    public void AWeekView_ParsesItsKeys_AndSaysItsFormat()
    {
        var view = ViewDefinition
            .Named("weekly", 1)
            .Per(TimeWindow.Week, EventField.Attribute("tenant"))
            .Aggregate(Aggregation.Count());

        Assert.Equal("yyyy-Www|{tenant}", view.KeyFormat);
        Assert.True(view.TryParseKey("2026-W53|a|b", out var key, out _));
        Assert.Equal((Utc(2026, 12, 28), "a|b"), (key.WindowStart, key.Dimension));
        Assert.False(view.TryParseKey("2026-W53x|a", out _, out var error));
        Assert.Equal("key '2026-W53x|a' has 'x' after its week; view 'weekly' uses keys like yyyy-Www|{tenant}", error);
    }
}
