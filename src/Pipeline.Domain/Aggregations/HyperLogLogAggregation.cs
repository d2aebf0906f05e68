using Pipeline.Domain.Events;
using Pipeline.Domain.Hashing;

namespace Pipeline.Domain.Aggregations;

internal sealed class HyperLogLogAggregation : Aggregation
{
    private readonly EventField _field;
    private readonly int _precision;

    public HyperLogLogAggregation(EventField field, int precision)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(precision, Aggregations.HyperLogLog.MinPrecision);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(precision, Aggregations.HyperLogLog.MaxPrecision);
        _field = field;
        _precision = precision;
    }

    public override AggregationKind Kind => AggregationKind.HyperLogLog;

    public override string Description => $"hyperloglog({_field}, p={_precision})";

    public override AggregateState Zero() => new HyperLogLogState(new Aggregations.HyperLogLog(_precision));

    public override bool Add(AggregateState state, in CloudEvent cloudEvent)
    {
        Span<byte> scratch = stackalloc byte[EventField.MaxValueBytes];
        if (!_field.TryGetString(cloudEvent, scratch, out var value))
        {
            return false;
        }

        As<HyperLogLogState>(state).Sketch.AddHash(Fingerprint.SketchHash(value));
        return true;
    }
}

/// <summary>A HyperLogLog sketch as an aggregate state; its result is always approximate.</summary>
public sealed class HyperLogLogState(HyperLogLog sketch) : AggregateState
{
    /// <summary>The sketch.</summary>
    public HyperLogLog Sketch { get; } = sketch;

    /// <inheritdoc />
    public override AggregationKind Kind => AggregationKind.HyperLogLog;

    /// <inheritdoc />
    public override bool IsEmpty => Sketch.IsEmpty;

    /// <inheritdoc />
    public override AggregateResult Result =>
        new(decimal.Round((decimal)Sketch.Estimate()), IsApproximate: true, Sketch.StandardError);

    /// <inheritdoc />
    protected override void MergeCore(AggregateState other) => Sketch.Merge(((HyperLogLogState)other).Sketch);

    internal override void WritePayload(StateWriter writer) => Sketch.Write(writer);
}
