namespace Pipeline.Domain.Aggregations;

/// <summary>
/// A mutable partial aggregate: an element of the aggregation's monoid. Partials from any split of
/// the events merge to the same result as one fold over all of them.
/// </summary>
public abstract class AggregateState
{
    /// <summary>The aggregation this state belongs to.</summary>
    public abstract AggregationKind Kind { get; }

    /// <summary>True for the monoid's zero (no event has contributed).</summary>
    public abstract bool IsEmpty { get; }

    /// <summary>The current value.</summary>
    public abstract AggregateResult Result { get; }

    /// <summary>Merges <paramref name="other"/> into this state (this = this ⊕ other). Never aliases <paramref
    /// name="other"/>.</summary>
    public void MergeFrom(AggregateState other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Kind != Kind)
        {
            throw new ArgumentException($"cannot merge a {other.Kind} state into a {Kind} state", nameof(other));
        }

        MergeCore(other);
    }

    /// <summary>Merges a state already known to be of the same kind.</summary>
    protected abstract void MergeCore(AggregateState other);

    /// <summary>The format version of this kind's payload, written after the kind byte.</summary>
    internal virtual byte FormatVersion => StateCodec.FormatVersion;

    /// <summary>Writes the payload that follows the kind and format bytes.</summary>
    internal abstract void WritePayload(StateWriter writer);

    /// <summary>Writes the payload keeping everything needed for exact merges (large member sets included).</summary>
    internal virtual void WriteCompletePayload(StateWriter writer) => WritePayload(writer);
}
