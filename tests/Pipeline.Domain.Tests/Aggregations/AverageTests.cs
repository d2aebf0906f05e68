using Pipeline.Domain.Aggregations;

namespace Pipeline.Domain.Tests.Aggregations;

/// <summary>The mean: exact, rounded half-even at 8 places, the same whatever the order of merges.</summary>
public sealed class AverageTests
{
    private static AverageState Of(params decimal[] values)
    {
        var state = new AverageState();
        foreach (var value in values)
        {
            state.Add(value);
        }

        return state;
    }

    [Theory]
    [InlineData("1,2,2", "1.66666667")]
    [InlineData("0.00000001,0.00000002", "0.00000002")] // 1.5 units: half to even
    [InlineData("0.00000001,0.00000004", "0.00000002")] // 2.5 units: half to even
    [InlineData("-0.00000001,-0.00000002", "-0.00000002")]
    [InlineData("10,20", "15")]
    [InlineData("999999999999999999,999999999999999999", "999999999999999999")]
    public void TheMean_IsRoundedHalfEvenAt8Places(string values, string mean)
    {
        var state = Of([
            .. values.Split(',').Select(v => decimal.Parse(v, System.Globalization.CultureInfo.InvariantCulture)),
        ]);

        Assert.Equal(decimal.Parse(mean, System.Globalization.CultureInfo.InvariantCulture), state.Result.Value);
        Assert.False(state.Result.IsApproximate);
    }

    [Fact]
    public void MergesInAnyOrder_AndTheCodec_GiveTheSameMean()
    {
        var a = Of(1.5m, 2.25m);
        var b = Of(-7m);
        var empty = new AverageState();
        var ab = Of(1.5m, 2.25m);
        ab.MergeFrom(b);
        var ba = Of(-7m);
        ba.MergeFrom(a);
        ba.MergeFrom(empty);

        Assert.Equal(ab.Result, ba.Result);
        Assert.Equal(-1.08333333m, ab.Result.Value);
        var read = (AverageState)StateCodec.Deserialize(StateCodec.Serialize(ab));
        Assert.Equal((ab.Result, 3L), (read.Result, read.Count));
        Assert.Null(empty.Result.Value);
        Assert.True(empty.IsEmpty);
    }
}
