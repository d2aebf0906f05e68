using Pipeline.Domain.Events;

namespace Pipeline.Domain.Aggregations;

/// <summary>
/// A monoid over events: <see cref="Zero"/>, <see cref="Add"/> one event, and merge (on the state).
/// Stateless and shared by the speed layer, the batch layer, replay and audits.
/// </summary>
public abstract class Aggregation
{
    /// <summary>The kind of state this aggregation produces.</summary>
    public abstract AggregationKind Kind { get; }

    /// <summary>A short description such as <c>sum(data.amount)</c>.</summary>
    public abstract string Description { get; }

    /// <summary>The identity element.</summary>
    public abstract AggregateState Zero();

    /// <summary>Adds one event; returns false when the event has no usable value for this aggregation.</summary>
    public abstract bool Add(AggregateState state, in CloudEvent cloudEvent);

    /// <summary>Counts events.</summary>
    public static Aggregation Count() => CountAggregation.Instance;

    /// <summary>Decimal-exact sum of <paramref name="field"/>.</summary>
    public static Aggregation Sum(EventField field) => new SumAggregation(field);

    /// <summary>Decimal-exact mean of <paramref name="field"/>, rounded half-even at 8 decimal places.</summary>
    public static Aggregation Average(EventField field) => new AverageAggregation(field);

    /// <summary>Minimum of <paramref name="field"/>.</summary>
    public static Aggregation Min(EventField field) => new ExtremumAggregation(field, AggregationKind.Min);

    /// <summary>Maximum of <paramref name="field"/>.</summary>
    public static Aggregation Max(EventField field) => new ExtremumAggregation(field, AggregationKind.Max);

    /// <summary>Exact set of the distinct values of <paramref name="field"/>.</summary>
    public static Aggregation DistinctSet(EventField field) => new DistinctSetAggregation(field);

    /// <summary>HyperLogLog sketch of the distinct values of <paramref name="field"/>.</summary>
    public static Aggregation HyperLogLog(
        EventField field,
        int precision = Aggregations.HyperLogLog.DefaultPrecision
    ) => new HyperLogLogAggregation(field, precision);

    /// <summary>Distinct count of <paramref name="field"/>: exact while members fit, HyperLogLog beyond.</summary>
    public static Aggregation DistinctCount(EventField field) => new DistinctCountAggregation(field);

    /// <summary>Several named aggregates side by side, each with its own condition.</summary>
    public static Aggregation Composite(IReadOnlyList<AggregatePart> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        ArgumentOutOfRangeException.ThrowIfLessThan(parts.Count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(parts.Count, CompositeState.MaxParts);
        return new CompositeAggregation(parts);
    }

    /// <summary>The named parts of a view with several aggregates; null for a view of one.</summary>
    public virtual IReadOnlyList<AggregatePart>? Parts => null;

    /// <inheritdoc />
    public override string ToString() => Description;

    /// <summary>Casts a state to the type this aggregation owns, with a clear error for a mismatch.</summary>
    protected static T As<T>(AggregateState state)
        where T : AggregateState =>
        state as T
        ?? throw new ArgumentException(
            $"expected a {typeof(T).Name}, got {state?.GetType().Name ?? "null"}",
            nameof(state)
        );
}
