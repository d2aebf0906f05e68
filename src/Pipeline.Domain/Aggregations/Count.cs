using Pipeline.Domain.Events;

namespace Pipeline.Domain.Aggregations;

internal sealed class CountAggregation : Aggregation
{
    public static readonly CountAggregation Instance = new();

    public override AggregationKind Kind => AggregationKind.Count;

    public override string Description => "count";

    public override AggregateState Zero() => new CountState();

    public override bool Add(AggregateState state, in CloudEvent cloudEvent)
    {
        As<CountState>(state).Count++;
        return true;
    }
}

/// <summary>A number of events.</summary>
public sealed class CountState : AggregateState
{
    /// <summary>The count.</summary>
    public long Count { get; set; }

    /// <inheritdoc />
    public override AggregationKind Kind => AggregationKind.Count;

    /// <inheritdoc />
    public override bool IsEmpty => Count == 0;

    /// <inheritdoc />
    public override AggregateResult Result => new(Count);

    /// <inheritdoc />
    protected override void MergeCore(AggregateState other) => Count += ((CountState)other).Count;

    internal override void WritePayload(StateWriter writer) => writer.WriteVarInt(Count);
}
