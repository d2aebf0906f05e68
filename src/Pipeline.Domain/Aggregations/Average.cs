using Pipeline.Domain.Events;

namespace Pipeline.Domain.Aggregations;

internal sealed class AverageAggregation(EventField valueField) : Aggregation
{
    public override AggregationKind Kind => AggregationKind.Average;

    public override string Description => $"avg({valueField})";

    public override AggregateState Zero() => new AverageState();

    public override bool Add(AggregateState state, in CloudEvent cloudEvent)
    {
        if (!valueField.TryGetAmount(cloudEvent, out var value, out _))
        {
            return false;
        }

        As<AverageState>(state).Add(value);
        return true;
    }
}

/// <summary>
/// A decimal-exact mean: the exact sum of the values used (in units of 10^-8, as <see cref="SumState"/>) and their
/// number; the answer is their quotient rounded half-even at 8 decimal places, so it does not depend on the order
/// of events or merges.
/// </summary>
public sealed class AverageState : AggregateState
{
    private readonly SumState _sum = new();

    /// <summary>How many values were used.</summary>
    public long Count { get; private set; }

    /// <inheritdoc />
    public override AggregationKind Kind => AggregationKind.Average;

    /// <inheritdoc />
    public override bool IsEmpty => Count == 0;

    /// <inheritdoc />
    public override AggregateResult Result
    {
        get
        {
            if (Count == 0)
            {
                return new AggregateResult(null);
            }

            var quotient = Int128.DivRem(_sum.Units, Count);
            var (units, remainder) = (quotient.Quotient, Int128.Abs(quotient.Remainder) * 2);
            if (remainder > Count || (remainder == Count && !Int128.IsEvenInteger(units)))
            {
                units += _sum.Units < 0 ? -1 : 1;
            }

            return SumState.FromUnits(units).Result;
        }
    }

    /// <summary>Adds an accepted amount exactly.</summary>
    public void Add(decimal amount)
    {
        _sum.Add(amount);
        Count++;
    }

    internal static AverageState Read(ref StateReader reader)
    {
        var state = new AverageState();
        state._sum.MergeFrom(SumState.FromUnits(reader.ReadInt128()));
        state.Count = reader.ReadVarInt();
        return state;
    }

    /// <inheritdoc />
    protected override void MergeCore(AggregateState other)
    {
        var average = (AverageState)other;
        _sum.MergeFrom(average._sum);
        Count += average.Count;
    }

    internal override void WritePayload(StateWriter writer)
    {
        writer.WriteInt128(_sum.Units);
        writer.WriteVarInt(Count);
    }
}
