namespace Pipeline.Domain.Aggregations;

/// <summary>The aggregation a state belongs to; its byte value is the first byte of the binary form.</summary>
public enum AggregationKind : byte
{
    /// <summary>Number of events.</summary>
    Count = 1,

    /// <summary>Decimal-exact sum of a numeric field.</summary>
    Sum = 2,

    /// <summary>Smallest value of a numeric field.</summary>
    Min = 3,

    /// <summary>Largest value of a numeric field.</summary>
    Max = 4,

    /// <summary>Exact set of distinct values.</summary>
    DistinctSet = 5,

    /// <summary>HyperLogLog sketch of distinct values.</summary>
    HyperLogLog = 6,

    /// <summary>Distinct count: exact while the members are kept, a HyperLogLog estimate otherwise.</summary>
    DistinctCount = 7,

    /// <summary>Decimal-exact mean of a numeric field, rounded half-even at 8 decimal places.</summary>
    Average = 8,

    /// <summary>Several named aggregates of one view, side by side.</summary>
    Composite = 9,
}

/// <summary>The value of an aggregate state, as an answer reports it.</summary>
/// <param name="Value">The number; null when there is nothing to report (the min of no values).</param>
/// <param name="IsApproximate">True when an estimate (HyperLogLog) produced the value.</param>
/// <param name="RelativeStandardError">The estimator's standard error, when approximate.</param>
public readonly record struct AggregateResult(
    decimal? Value,
    bool IsApproximate = false,
    double? RelativeStandardError = null
);
