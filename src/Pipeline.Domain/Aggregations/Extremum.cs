using Pipeline.Domain.Events;

namespace Pipeline.Domain.Aggregations;

internal sealed class ExtremumAggregation(EventField valueField, AggregationKind kind) : Aggregation
{
    public override AggregationKind Kind => kind;

    public override string Description => $"{(kind == AggregationKind.Min ? "min" : "max")}({valueField})";

    public override AggregateState Zero() => new ExtremumState(kind);

    public override bool Add(AggregateState state, in CloudEvent cloudEvent)
    {
        if (!valueField.TryGetDecimal(cloudEvent, out var value))
        {
            return false;
        }

        As<ExtremumState>(state).Offer(value);
        return true;
    }
}

/// <summary>The smallest or largest value seen; empty until a value arrives.</summary>
public sealed class ExtremumState : AggregateState
{
    private readonly AggregationKind _kind;

    /// <summary>Creates an empty min or max state.</summary>
    public ExtremumState(AggregationKind kind)
    {
        if (kind is not (AggregationKind.Min or AggregationKind.Max))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "an extremum is Min or Max");
        }

        _kind = kind;
    }

    /// <summary>The extremum, or null when no value has been seen.</summary>
    public decimal? Value { get; private set; }

    /// <inheritdoc />
    public override AggregationKind Kind => _kind;

    /// <inheritdoc />
    public override bool IsEmpty => Value is null;

    /// <inheritdoc />
    public override AggregateResult Result => new(Value);

    /// <summary>Keeps <paramref name="value"/> when it beats the current extremum.</summary>
    public void Offer(decimal value)
    {
        if (Value is not { } current || (_kind == AggregationKind.Min ? value < current : value > current))
        {
            Value = value;
        }
    }

    /// <inheritdoc />
    protected override void MergeCore(AggregateState other)
    {
        if (((ExtremumState)other).Value is { } value)
        {
            Offer(value);
        }
    }

    internal override void WritePayload(StateWriter writer)
    {
        writer.WriteByte(Value.HasValue ? (byte)1 : (byte)0);
        if (Value is { } value)
        {
            writer.WriteDecimal(value);
        }
    }
}
