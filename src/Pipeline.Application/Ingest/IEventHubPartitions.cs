namespace Pipeline.Application.Ingest;

/// <summary>
/// What Event Hubs says of one partition (as <c>GetPartitionPropertiesAsync</c> gives it): the last event
/// enqueued, and whether the partition holds any.
/// </summary>
/// <param name="Partition">The partition.</param>
/// <param name="LastEnqueuedSequence">The sequence number of its last enqueued event (-1: none ever).</param>
/// <param name="LastEnqueuedTime">When that event was enqueued (null: none).</param>
/// <param name="IsEmpty">Whether the partition holds no event now (none sent, or all past retention).</param>
public sealed record HubPartition(
    int Partition,
    long LastEnqueuedSequence,
    DateTimeOffset? LastEnqueuedTime,
    bool IsEmpty
)
{
    /// <summary>A partition numbered from 0 with none of its events expired (as the dev host's emulation keeps
    /// them): empty when it never numbered an event.</summary>
    public static HubPartition Numbered(int partition, long lastEnqueuedSequence, DateTimeOffset? lastEnqueuedTime) =>
        new(partition, lastEnqueuedSequence, lastEnqueuedTime, lastEnqueuedSequence < 0);
}

/// <summary>
/// The event hub's partitions as Event Hubs itself describes them: which exist, and how far each has been
/// written. The sealed boundary is computed from them, the same way on both hosts (the dev host's emulation
/// answers the same questions), so a quiet partition does not hold the batch layer back and a partition
/// never ingested does not let an epoch seal early.
/// </summary>
public interface IEventHubPartitions
{
    /// <summary>Every partition of the hub, with its properties as of the call.</summary>
    Task<IReadOnlyList<HubPartition>> ListAsync(CancellationToken cancellationToken = default);
}
