using Pipeline.Domain.Epochs;

namespace Pipeline.Domain.Tests.Epochs;

public class EpochClockTests
{
    [Fact]
    public void EpochOf_SplitsEnqueuedTimeIntoFixedSlices()
    {
        var clock = new EpochClock(TimeSpan.FromHours(1));
        var start = new DateTimeOffset(2026, 11, 21, 14, 0, 0, TimeSpan.Zero);

        var epoch = clock.EpochOf(start);

        Assert.Equal(epoch, clock.EpochOf(start.AddMinutes(59.99)));
        Assert.Equal(epoch + 1, clock.EpochOf(start.AddHours(1)));
        Assert.Equal(epoch - 1, clock.EpochOf(start.AddTicks(-1)));
        Assert.Equal(start, clock.StartOf(epoch));
    }

    [Fact]
    public void EpochOf_BeforeUnixEpoch_RoundsDown()
    {
        var clock = new EpochClock(TimeSpan.FromSeconds(5));

        Assert.Equal(-1, clock.EpochOf(DateTimeOffset.UnixEpoch.AddSeconds(-1)));
    }

    [Fact]
    public void Constructor_SubSecondLength_IsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new EpochClock(TimeSpan.FromMilliseconds(10)));
    }

    [Fact]
    public void EventIdentity_DependsOnSourceAndIdOnly()
    {
        var a = EventIdentity.Of(TestEvents.Make("x", "u1", id: "42", source: "/a"));
        var sameAgain = EventIdentity.Of(TestEvents.Make("y", "u2", id: "42", source: "/a"));
        var otherSource = EventIdentity.Of(TestEvents.Make("x", "u1", id: "42", source: "/b"));

        Assert.Equal(a, sameAgain);
        Assert.NotEqual(a, otherSource);
        Assert.NotEqual(EventIdentity.Of("ab"u8, "c"u8), EventIdentity.Of("a"u8, "bc"u8));
    }
}
