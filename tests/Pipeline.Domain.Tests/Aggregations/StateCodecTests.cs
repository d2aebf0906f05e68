using System.Text;
using Pipeline.Domain.Aggregations;
using Pipeline.Domain.Events;

namespace Pipeline.Domain.Tests.Aggregations;

public class StateCodecTests
{
    public static TheoryData<string> Aggregations => ["count", "sum", "min", "max", "set", "hll", "distinct"];

    private static Aggregation Create(string name) =>
        name switch
        {
            "count" => Aggregation.Count(),
            "sum" => Aggregation.Sum(EventField.Data("amount")),
            "min" => Aggregation.Min(EventField.Data("amount")),
            "max" => Aggregation.Max(EventField.Data("amount")),
            "set" => Aggregation.DistinctSet(EventField.Subject),
            "hll" => Aggregation.HyperLogLog(EventField.Subject),
            _ => Aggregation.DistinctCount(EventField.Subject),
        };

    [Theory]
    [MemberData(nameof(Aggregations))]
    public void RoundTrip_PreservesResultAndBytes(string name)
    {
        var aggregation = Create(name);
        var state = aggregation.Zero();
        for (var i = 0; i < 50; i++)
        {
            aggregation.Add(
                state,
                TestEvents.Make("order.placed", $"user-{i % 17}", data: $$"""{"amount":{{i}}.25}""")
            );
        }

        var bytes = StateCodec.Serialize(state);
        var loaded = StateCodec.Deserialize(bytes);

        Assert.Equal(state.Kind, loaded.Kind);
        Assert.Equal(state.Result, loaded.Result);
        Assert.Equal(bytes, StateCodec.Serialize(loaded));
        Assert.True(bytes.Length <= StateCodec.MaxTablePropertyBytes);
    }

    [Theory]
    [MemberData(nameof(Aggregations))]
    public void RoundTrip_OfZero_IsEmpty(string name)
    {
        var loaded = StateCodec.Deserialize(StateCodec.Serialize(Create(name).Zero()));

        Assert.True(loaded.IsEmpty);
    }

    [Fact]
    public void Serialize_IsIndependentOfInsertionOrder()
    {
        var a = Aggregation.DistinctSet(EventField.Subject);
        var first = a.Zero();
        var second = a.Zero();
        foreach (var user in new[] { "c", "a", "b" })
        {
            a.Add(first, TestEvents.Make("t", user));
        }

        foreach (var user in new[] { "b", "c", "a" })
        {
            a.Add(second, TestEvents.Make("t", user));
        }

        Assert.Equal(StateCodec.Serialize(first), StateCodec.Serialize(second));
    }

    [Fact]
    public void DenseHyperLogLog_FitsOneTableProperty()
    {
        var state = (HyperLogLogState)Aggregation.HyperLogLog(EventField.Subject).Zero();
        for (var i = 0; i < 200_000; i++)
        {
            state.Sketch.AddHash(System.IO.Hashing.XxHash64.HashToUInt64(Encoding.UTF8.GetBytes($"u{i}")));
        }

        var bytes = StateCodec.Serialize(state);

        Assert.InRange(bytes.Length, 16_384, StateCodec.MaxTablePropertyBytes);
    }

    [Fact]
    public void SeveralAggregates_MergedFromAnySplit_SerializeAsOneFold_AndRoundTrip()
    {
        var amount = EventField.Data("amount");
        var composite = Aggregation.Composite([
            new AggregatePart("n", Pipeline.Domain.Views.EventFilter.All, Aggregation.Count()),
            new AggregatePart("sum", Pipeline.Domain.Views.EventFilter.All, Aggregation.Sum(amount), amount),
            new AggregatePart("users", Pipeline.Domain.Views.EventFilter.All, Create("distinct"), EventField.Subject),
            new AggregatePart("hll", Pipeline.Domain.Views.EventFilter.All, Create("hll"), EventField.Subject),
        ]);
        var events = Enumerable
            .Range(0, 60)
            .Select(i =>
                TestEvents.Make(
                    "t",
                    $"user-{i % 13}",
                    data: i % 7 == 0 ? """{"amount":"abc"}""" : $$"""{"amount":{{i}}.5}"""
                )
            )
            .ToList();
        var whole = composite.Zero();
        var (left, right) = (composite.Zero(), composite.Zero());
        for (var i = 0; i < events.Count; i++)
        {
            composite.Add(whole, events[i]);
            composite.Add(i % 3 == 0 ? left : right, events[i]);
        }

        var merged = StateCodec.Deserialize(StateCodec.Serialize(left));
        merged.MergeFrom(StateCodec.Deserialize(StateCodec.SerializeComplete(right)));

        Assert.Equal(StateCodec.Serialize(whole), StateCodec.Serialize(merged));
        var state = Assert.IsType<CompositeState>(merged);
        Assert.Equal([0, 9, 0, 0], state.Skipped);
        Assert.Equal(
            [60m, Enumerable.Range(0, 60).Where(i => i % 7 != 0).Sum(i => i + 0.5m), 13m, 13m],
            state.Parts.Select(p => p.Result.Value)
        );
        Assert.Throws<InvalidDataException>(() => StateCodec.Deserialize([9, 1, 17]));
    }

    [Theory]
    [InlineData(new byte[] { }, "truncated")]
    [InlineData(new byte[] { 1 }, "truncated")]
    [InlineData(new byte[] { 1, 9, 0 }, "format version 9")]
    [InlineData(new byte[] { 99, 1, 0 }, "unknown aggregation kind 99")]
    [InlineData(new byte[] { 1, 1, 2, 7 }, "trailing bytes")]
    [InlineData(new byte[] { 2, 1, 1, 2, 3 }, "truncated")]
    [InlineData(new byte[] { 5, 1, 200, 1 }, "length")]
    [InlineData(new byte[] { 6, 1, 40, 0 }, "precision 40")]
    public void Deserialize_MalformedInput_SaysWhatIsWrong(byte[] data, string messagePart)
    {
        var error = Assert.Throws<InvalidDataException>(() => StateCodec.Deserialize(data));

        Assert.Contains(messagePart, error.Message, StringComparison.Ordinal);
    }
}
