namespace Pipeline.Application.Ingest;

/// <summary>One event as Event Hubs delivers it.</summary>
/// <param name="Body">The event body (a structured-mode CloudEvent, if well formed).</param>
/// <param name="SequenceNumber">Its sequence number within the partition.</param>
/// <param name="EnqueuedTime">When Event Hubs accepted it.</param>
/// <param name="Properties">Application properties, if any (kept for diagnostics; views do not use them).</param>
public sealed record IncomingEvent(
    ReadOnlyMemory<byte> Body,
    long SequenceNumber,
    DateTimeOffset EnqueuedTime,
    IReadOnlyDictionary<string, object>? Properties = null
);

/// <summary>A batch of events from one partition, in sequence order, as a trigger delivers it (at least once, with any
/// boundaries).</summary>
/// <param name="Partition">The partition id (Event Hubs partition ids are small integers).</param>
/// <param name="Events">The events, in increasing sequence order.</param>
public sealed record IngestBatch(int Partition, IReadOnlyList<IncomingEvent> Events);

/// <summary>What ingesting a batch did.</summary>
/// <param name="Accepted">Valid events, now in the raw log.</param>
/// <param name="Quarantined">Invalid events, now in quarantine with their reasons.</param>
/// <param name="ProducerRetries">Valid events the speed layer skipped as re-sends of an earlier event (same source and
/// id).</param>
/// <param name="AlreadyApplied">Valid events the speed views already reflected (a redelivery).</param>
/// <param name="QuarantinedSequences">The sequence numbers of the quarantined events.</param>
public sealed record IngestResult(
    int Accepted,
    int Quarantined,
    int ProducerRetries,
    int AlreadyApplied,
    IReadOnlyCollection<long>? QuarantinedSequences = null
)
{
    /// <summary>Equal counts and the same quarantined sequence numbers (none given is none).</summary>
    public bool Equals(IngestResult? other) =>
        other is not null
        && (Accepted, Quarantined, ProducerRetries, AlreadyApplied)
            == (other.Accepted, other.Quarantined, other.ProducerRetries, other.AlreadyApplied)
        && (QuarantinedSequences ?? []).SequenceEqual(other.QuarantinedSequences ?? []);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Accepted, Quarantined, ProducerRetries, AlreadyApplied);
}
