using Pipeline.Domain.Aggregations;
using Pipeline.Domain.Events;
using Pipeline.Domain.Views;

namespace Pipeline.Domain.Tests.Aggregations;

/// <summary>
/// A batch view folds events one by one; the speed layer folds per epoch and merges. A sum must not depend
/// on that order (a decimal adding a tiny amount to a huge one rounds it away), and a value that cannot be
/// summed exactly must be refused, not silently left out.
/// </summary>
public class ExactSumTests
{
    private static readonly Aggregation Revenue = Aggregation.Sum(EventField.Data("amount"));

    private static CloudEvent Order(string amount) =>
        TestEvents.Make("order.placed", data: $$"""{"amount":{{amount}}}""");

    private static SumState Fold(IEnumerable<CloudEvent> events)
    {
        var state = (SumState)Revenue.Zero();
        foreach (var e in events)
        {
            Assert.True(Revenue.Add(state, e));
        }

        return state;
    }

    [Fact]
    public void ASum_IsTheSame_InEveryOrder_AndEveryGrouping_AtTheLimitsOfAcceptedAmounts()
    {
        var huge = Enumerable.Repeat(Order("999999999999999999.99999999"), 500).ToList();
        var tiny = Enumerable.Repeat(Order("0.00000001"), 1000).ToList();

        var hugeFirst = Fold(huge.Concat(tiny));
        var tinyFirst = Fold(tiny.Concat(huge));
        var merged = Fold(huge);
        merged.MergeFrom(Fold(tiny));

        var expected =
            decimal.Parse("499999999999999999999.99999500", System.Globalization.CultureInfo.InvariantCulture)
            + 0.00001m;
        Assert.Equal(expected, hugeFirst.Result.Value);
        Assert.Equal(hugeFirst.Units, tinyFirst.Units);
        Assert.Equal(hugeFirst.Units, merged.Units);
        Assert.False(hugeFirst.Result.IsApproximate);
    }

    [Fact]
    public void ASumBeyondWhatAnAnswerHoldsExactly_SaysItIsApproximate()
    {
        // 998,999,999,999,999,999,001.00000999: 29 digits of which a decimal answer can hold 28.
        var state = Fold(Enumerable.Repeat(Order("999999999999999999.00000001"), 999));

        Assert.True(state.Result.IsApproximate);
        Assert.Equal(998999999999999999001.0000099m, state.Result.Value);
    }

    [Theory]
    [InlineData("0", "0")]
    [InlineData("12.5", "12.5")]
    [InlineData("\"12.50\"", "12.5")]
    [InlineData("-0.00000001", "-0.00000001")]
    [InlineData("1.0000000000000", "1")]
    [InlineData("1e18", "1000000000000000000")]
    [InlineData("2.5E-3", "0.0025")]
    [InlineData("\"999999999999999999.99999999\"", "999999999999999999.99999999")]
    public void AcceptedAmounts_AreReadExactly(string json, string expected)
    {
        Assert.True(Revenue.Add(Revenue.Zero(), Order(json)));
        Assert.Equal(
            decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture),
            Fold([Order(json)]).Result.Value
        );
    }

    [Theory]
    [InlineData("0.000000001", "more than 8 decimal places")]
    [InlineData("0.00000000001", "more than 8 decimal places")]
    [InlineData("1e-400", "more than 8 decimal places")]
    [InlineData("1e400", "beyond ±10^18")]
    [InlineData("1000000000000000000.01", "beyond ±10^18")]
    [InlineData("\"NaN\"", "is not a number")]
    [InlineData("\"Infinity\"", "is not a number")]
    [InlineData("\"12 EUR\"", "is not a number")]
    [InlineData("true", "is not a number")]
    [InlineData("{\"value\":1}", "is not a number")]
    public void AmountsThatCannotBeSummedExactly_AreSkipped_ForTheReasonGiven(string json, string reason)
    {
        Assert.False(EventField.Data("amount").TryGetAmount(Order(json), out _, out var problem));
        Assert.Contains(reason, problem, StringComparison.Ordinal);
        Assert.False(Revenue.Add(Revenue.Zero(), Order(json)));
    }

    [Fact]
    public void AnEventWithoutTheValue_OrWithOneASumCannotUse_AddsNothing()
    {
        Assert.False(Revenue.Add(Revenue.Zero(), TestEvents.Make("order.placed")));
        Assert.False(Revenue.Add(Revenue.Zero(), Order("null")));
        Assert.False(Revenue.Add(Revenue.Zero(), Order("1e400")));
        Assert.False(Revenue.Add(Revenue.Zero(), Order("0.123456789")));
        Assert.False(Revenue.Add(Revenue.Zero(), Order("\"NaN\"")));
    }

    [Fact]
    public void AStoredDecimalSum_OfTheFormerFormat_IsStillRead()
    {
        var former = new byte[18];
        former[0] = (byte)AggregationKind.Sum;
        former[1] = StateCodec.FormatVersion;
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(12.34m, bits);
        for (var i = 0; i < 4; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(former.AsSpan(2 + (i * 4)), bits[i]);
        }

        Assert.Equal(12.34m, StateCodec.Deserialize(former).Result.Value);
        Assert.Equal(SumState.ExactFormat, StateCodec.Serialize(Fold([Order("12.34")]))[1]);
    }
}
