using Pipeline.Domain.Events;

namespace Pipeline.Domain.Aggregations;

internal sealed class SumAggregation(EventField valueField) : Aggregation
{
    public override AggregationKind Kind => AggregationKind.Sum;

    public override string Description => $"sum({valueField})";

    public override AggregateState Zero() => new SumState();

    public override bool Add(AggregateState state, in CloudEvent cloudEvent)
    {
        if (!valueField.TryGetDecimal(cloudEvent, out var value))
        {
            return false;
        }

        As<SumState>(state).Sum += value;
        return true;
    }
}

/// <summary>A decimal-exact sum: no binary floating point anywhere, so money adds up to the cent.</summary>
public sealed class SumState : AggregateState
{
    /// <summary>The sum.</summary>
    public decimal Sum { get; set; }

    /// <inheritdoc />
    public override AggregationKind Kind => AggregationKind.Sum;

    /// <inheritdoc />
    public override bool IsEmpty => Sum == 0m;

    /// <inheritdoc />
    public override AggregateResult Result => new(Sum);

    /// <inheritdoc />
    protected override void MergeCore(AggregateState other) => Sum += ((SumState)other).Sum;

    internal override void WritePayload(StateWriter writer) => writer.WriteDecimal(Sum);
}
