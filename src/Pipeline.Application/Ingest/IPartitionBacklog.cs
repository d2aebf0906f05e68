namespace Pipeline.Application.Ingest;

/// <summary>Events a host has accepted but not yet ingested, per partition (the dev host's queues; Event Hubs keeps its
/// own).</summary>
public interface IPartitionBacklog
{
    /// <summary>Queued events of each partition.</summary>
    IReadOnlyDictionary<int, long> Queued();
}
