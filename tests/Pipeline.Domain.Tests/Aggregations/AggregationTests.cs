using Pipeline.Domain.Aggregations;
using Pipeline.Domain.Events;

namespace Pipeline.Domain.Tests.Aggregations;

public class AggregationTests
{
    private static AggregateState Fold(Aggregation aggregation, params CloudEvent[] events)
    {
        var state = aggregation.Zero();
        foreach (var e in events)
        {
            aggregation.Add(state, e);
        }

        return state;
    }

    private static CloudEvent Order(string amount) =>
        TestEvents.Make("order.placed", data: $$"""{"amount":{{amount}}}""");

    [Fact]
    public void Sum_IsDecimalExact()
    {
        var sum = Fold(Aggregation.Sum(EventField.Data("amount")), Order("0.1"), Order("0.2"), Order("\"0.30\""));

        Assert.Equal(0.60m, sum.Result.Value);
    }

    [Fact]
    public void Sum_IgnoresEventsWithoutUsableAmount()
    {
        var aggregation = Aggregation.Sum(EventField.Data("amount"));
        var state = aggregation.Zero();

        Assert.False(aggregation.Add(state, Order("\"twelve\"")));
        Assert.False(aggregation.Add(state, Order("1e30")));
        Assert.False(aggregation.Add(state, TestEvents.Make("order.placed")));
        Assert.True(aggregation.Add(state, Order("5")));
        Assert.Equal(5m, state.Result.Value);
    }

    [Fact]
    public void MinAndMax_TrackExtremes_AndAreEmptyWithoutValues()
    {
        var min = Aggregation.Min(EventField.Data("amount"));
        var max = Aggregation.Max(EventField.Data("amount"));

        Assert.Null(min.Zero().Result.Value);
        Assert.Equal(-3m, Fold(min, Order("4"), Order("-3"), Order("10")).Result.Value);
        Assert.Equal(10m, Fold(max, Order("4"), Order("-3"), Order("10")).Result.Value);
    }

    [Fact]
    public void DistinctSet_CountsEachSubjectOnce()
    {
        var set = Fold(
            Aggregation.DistinctSet(EventField.Subject),
            TestEvents.Make("a", "u1"),
            TestEvents.Make("a", "u2"),
            TestEvents.Make("b", "u1"),
            TestEvents.Make("a")
        );

        Assert.Equal(2m, set.Result.Value);
        Assert.False(set.Result.IsApproximate);
    }

    [Fact]
    public void DistinctCount_StaysExactAcrossMergesWhileMembersAreKnown()
    {
        var aggregation = Aggregation.DistinctCount(EventField.Subject);
        var left = Fold(aggregation, TestEvents.Make("a", "u1"), TestEvents.Make("a", "u2"));
        var right = Fold(aggregation, TestEvents.Make("a", "u2"), TestEvents.Make("a", "u3"));

        left.MergeFrom(StateCodec.Deserialize(StateCodec.Serialize(right)));

        Assert.Equal(new AggregateResult(3m), left.Result);
    }

    [Fact]
    public void DistinctCount_WithTooManyMembersToStore_KeepsExactCountButMergesApproximately()
    {
        var big = (DistinctCountState)Aggregation.DistinctCount(EventField.Subject).Zero();
        for (var i = 0; i < DistinctCountState.MaxStoredMembers * 3; i++)
        {
            big.AddUtf8(System.Text.Encoding.UTF8.GetBytes($"user-{i:D6}"));
        }

        var stored = StateCodec.Serialize(big);
        var loaded = StateCodec.Deserialize(stored);
        Assert.True(stored.Length <= StateCodec.MaxTablePropertyBytes, $"{stored.Length} bytes");
        Assert.Equal(new AggregateResult(DistinctCountState.MaxStoredMembers * 3), loaded.Result);
        Assert.False(((DistinctCountState)loaded).HasMembers);

        var other = (DistinctCountState)Aggregation.DistinctCount(EventField.Subject).Zero();
        other.AddUtf8("user-000001"u8);
        other.AddUtf8("someone-new"u8);
        loaded.MergeFrom(other);

        Assert.True(loaded.Result.IsApproximate);
        var expected = (DistinctCountState.MaxStoredMembers * 3) + 1;
        Assert.InRange((double)loaded.Result.Value!.Value, expected * 0.97, expected * 1.03);
    }

    [Fact]
    public void DistinctCount_CompleteForm_KeepsEveryMemberForExactMerges()
    {
        var big = (DistinctCountState)Aggregation.DistinctCount(EventField.Subject).Zero();
        for (var i = 0; i < DistinctCountState.MaxStoredMembers * 3; i++)
        {
            big.AddUtf8(System.Text.Encoding.UTF8.GetBytes($"user-{i:D6}"));
        }

        var loaded = StateCodec.Deserialize(StateCodec.SerializeComplete(big));
        var other = (DistinctCountState)Aggregation.DistinctCount(EventField.Subject).Zero();
        other.AddUtf8("user-000001"u8);
        other.AddUtf8("someone-new"u8);
        loaded.MergeFrom(other);

        Assert.Equal(new AggregateResult((DistinctCountState.MaxStoredMembers * 3) + 1), loaded.Result);
    }

    [Fact]
    public void MergeFrom_DifferentKinds_IsRefused()
    {
        var count = Aggregation.Count().Zero();

        var error = Assert.Throws<ArgumentException>(() => count.MergeFrom(new SumState()));
        Assert.Contains("Sum", error.Message, StringComparison.Ordinal);
    }
}
