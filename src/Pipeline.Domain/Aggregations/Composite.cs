using System.Buffers;
using Pipeline.Domain.Events;
using Pipeline.Domain.Views;

namespace Pipeline.Domain.Aggregations;

/// <summary>One named aggregate of a view with several: its own condition (after the view's) and its monoid.</summary>
/// <param name="Name">The aggregate's name in answers.</param>
/// <param name="Filter">Which of the view's events it considers.</param>
/// <param name="Aggregation">What it computes.</param>
/// <param name="Field">The field it reads (null for a count): an event whose field holds a value the aggregate
/// cannot use counts as skipped; one without the field does not.</param>
public sealed record AggregatePart(string Name, EventFilter Filter, Aggregation Aggregation, EventField? Field = null);

/// <summary>
/// Several aggregates folded side by side in one state, so a view of many aggregates is one row per key in every
/// layer. An event the view takes is offered to each part whose condition holds; a part that cannot use the
/// event's value skips it and counts the skip. The composite never refuses an event: the view's key decides.
/// </summary>
internal sealed class CompositeAggregation(IReadOnlyList<AggregatePart> parts) : Aggregation
{
    private readonly IReadOnlyList<AggregatePart> _parts = parts;

    public override IReadOnlyList<AggregatePart> Parts => _parts;

    public override AggregationKind Kind => AggregationKind.Composite;

    public override string Description => string.Join(", ", _parts.Select(p => $"{p.Name}={p.Aggregation}"));

    public override AggregateState Zero() => new CompositeState([.. _parts.Select(p => p.Aggregation.Zero())]);

    public override bool Add(AggregateState state, in CloudEvent cloudEvent)
    {
        var composite = As<CompositeState>(state);
        for (var i = 0; i < _parts.Count; i++)
        {
            var part = _parts[i];
            if (
                part.Filter.Matches(cloudEvent)
                && !part.Aggregation.Add(composite.Parts[i], cloudEvent)
                && part.Field is { } field
                && field.HasValue(cloudEvent)
            )
            {
                composite.Skip(i);
            }
        }

        return true;
    }
}

/// <summary>
/// The state of a view with several aggregates: each part's state and how many events each part skipped
/// because it could not use their value. Its own <see cref="Result"/> carries no value (answers report each
/// part by name), only whether any part is an estimate.
/// </summary>
public sealed class CompositeState : AggregateState
{
    /// <summary>The most parts a composite holds (a spec's limit of aggregates).</summary>
    public const int MaxParts = 16;

    private readonly long[] _skipped;

    internal CompositeState(AggregateState[] parts, long[]? skipped = null)
    {
        Parts = parts;
        _skipped = skipped ?? new long[parts.Length];
    }

    /// <summary>Each aggregate's state, in the spec's order.</summary>
    public IReadOnlyList<AggregateState> Parts { get; }

    /// <summary>How many events each aggregate skipped, in the spec's order.</summary>
    public IReadOnlyList<long> Skipped => _skipped;

    /// <inheritdoc />
    public override AggregationKind Kind => AggregationKind.Composite;

    /// <inheritdoc />
    public override bool IsEmpty => Parts.All(p => p.IsEmpty) && _skipped.All(s => s == 0);

    /// <inheritdoc />
    public override AggregateResult Result => new(null, Parts.Any(p => p.Result.IsApproximate));

    internal void Skip(int part) => _skipped[part]++;

    /// <inheritdoc />
    protected override void MergeCore(AggregateState other)
    {
        var composite = (CompositeState)other;
        if (composite.Parts.Count != Parts.Count)
        {
            throw new ArgumentException(
                $"cannot merge a state of {composite.Parts.Count} aggregates into one of {Parts.Count}",
                nameof(other)
            );
        }

        for (var i = 0; i < Parts.Count; i++)
        {
            Parts[i].MergeFrom(composite.Parts[i]);
            _skipped[i] += composite._skipped[i];
        }
    }

    internal override void WritePayload(StateWriter writer) => Write(writer, complete: false);

    internal override void WriteCompletePayload(StateWriter writer) => Write(writer, complete: true);

    private void Write(StateWriter writer, bool complete)
    {
        writer.WriteVarUInt((ulong)Parts.Count);
        var buffer = new ArrayBufferWriter<byte>(64);
        for (var i = 0; i < Parts.Count; i++)
        {
            buffer.ResetWrittenCount();
            StateCodec.Serialize(Parts[i], buffer, complete);
            writer.WriteVarInt(_skipped[i]);
            writer.WriteVarUInt((ulong)buffer.WrittenCount);
            writer.WriteBytes(buffer.WrittenSpan);
        }
    }

    internal static CompositeState Read(ref StateReader reader)
    {
        var count = reader.ReadLength(MaxParts);
        var parts = new AggregateState[count];
        var skipped = new long[count];
        for (var i = 0; i < count; i++)
        {
            skipped[i] = reader.ReadVarInt();
            var bytes = reader.ReadBytes(reader.ReadLength(int.MaxValue));
            parts[i] = StateCodec.Deserialize(bytes);
            if (parts[i] is CompositeState)
            {
                throw new InvalidDataException("an aggregate state of several aggregates nests another");
            }
        }

        return new CompositeState(parts, skipped);
    }
}
