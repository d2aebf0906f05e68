using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Pipeline.Application.Batch;

namespace Pipeline.Application.Tests;

public class RecomputeScheduleTests
{
    private static RecomputeSchedule Read(string? value) =>
        RecomputeSchedule.From(
            new ConfigurationBuilder()
                .AddInMemoryCollection(
                    value is null ? [] : [new KeyValuePair<string, string?>(RecomputeSchedule.Setting, value)]
                )
                .Build()
        );

    [Fact]
    public void TheSchedule_IsNcrontabWithSeconds_AsTheTimerTriggerReadsIt()
    {
        var schedule = Read("0 */15 * * * *");

        Assert.Equal(
            new DateTimeOffset(2026, 11, 21, 12, 15, 0, TimeSpan.Zero),
            schedule.Expression!.GetNextOccurrence(
                new DateTimeOffset(2026, 11, 21, 12, 1, 0, TimeSpan.Zero),
                TimeZoneInfo.Utc
            )
        );
    }

    [Fact]
    public void Missing_IsFivePastEveryHour_AndEmpty_IsOnDemandOnly()
    {
        Assert.Equal(RecomputeSchedule.Default, Read(null).Text);
        Assert.Equal(
            new DateTimeOffset(2026, 11, 21, 13, 5, 0, TimeSpan.Zero),
            Read(null)
                .Expression!.GetNextOccurrence(
                    new DateTimeOffset(2026, 11, 21, 12, 6, 0, TimeSpan.Zero),
                    TimeZoneInfo.Utc
                )
        );
        Assert.Null(Read(string.Empty).Expression);
    }

    [Theory]
    [InlineData("every hour")]
    [InlineData("5 * * * *")]
    [InlineData("01:00:00")]
    public void AnythingElse_StopsTheStart_NamingTheSetting(string value)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Read(value));

        Assert.Contains("RecomputeSchedule", error.Message, StringComparison.Ordinal);
        Assert.Contains(RecomputeSchedule.Default, error.Message, StringComparison.Ordinal);
    }
}
