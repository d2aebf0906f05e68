using Pipeline.Application.Ingest;

namespace Pipeline.Testing;

/// <summary>
/// Event Hubs as in-process tests play it (the test delivers the batches, as the trigger would): each partition
/// holds exactly what has been ingested, unless the test declares more (events enqueued but not yet delivered,
/// a partition nobody has read, an empty one).
/// </summary>
public sealed class TestEventHub(ProgressStore progress) : IEventHubPartitions
{
    private readonly Dictionary<int, HubPartition> _declared = [];

    /// <summary>Says what the hub holds in a partition, whatever has been ingested.</summary>
    public void Declare(HubPartition partition)
    {
        ArgumentNullException.ThrowIfNull(partition);
        lock (_declared)
        {
            _declared[partition.Partition] = partition;
        }
    }

    public async Task<IReadOnlyList<HubPartition>> ListAsync(CancellationToken cancellationToken = default)
    {
        var ingested = (await progress.ListAsync(cancellationToken))
            .Where(p => p.LastSequence >= 0)
            .ToDictionary(p => p.Partition, p => HubPartition.Numbered(p.Partition, p.LastSequence, p.Watermark));
        lock (_declared)
        {
            foreach (var (partition, declared) in _declared)
            {
                ingested[partition] = declared;
            }
        }

        return [.. ingested.Values.OrderBy(p => p.Partition)];
    }
}
