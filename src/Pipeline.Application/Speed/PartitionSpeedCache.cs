using Azure;
using Pipeline.Domain.Views;

namespace Pipeline.Application.Speed;

/// <summary>A speed row as this process last wrote or read it.</summary>
internal sealed class CachedRow(ViewPartial partial, ETag etag, long lastSequence, long epoch)
{
    public ViewPartial Partial { get; set; } = partial;

    public ETag ETag { get; set; } = etag;

    public long LastSequence { get; set; } = lastSequence;

    public long Epoch { get; } = epoch;
}

/// <summary>
/// One partition's speed rows of the live epochs, as last written or read by this process. While this
/// process owns the partition, the cache is exact and batches need no reads; a conditional write that
/// fails (another owner wrote) evicts the rows, which are then read again.
/// </summary>
internal sealed class PartitionSpeedCache
{
    private readonly Dictionary<string, Dictionary<string, CachedRow>> _byPartitionKey = new(StringComparer.Ordinal);

    public bool IsLoaded(string partitionKey) => _byPartitionKey.ContainsKey(partitionKey);

    public void MarkLoaded(string partitionKey) =>
        _byPartitionKey.TryAdd(partitionKey, new Dictionary<string, CachedRow>(StringComparer.Ordinal));

    public CachedRow? Get(string partitionKey, string rowKey) =>
        _byPartitionKey.TryGetValue(partitionKey, out var rows) && rows.TryGetValue(rowKey, out var row) ? row : null;

    public void Set(string partitionKey, string rowKey, CachedRow row)
    {
        MarkLoaded(partitionKey);
        _byPartitionKey[partitionKey][rowKey] = row;
    }

    /// <summary>Forgets a whole PartitionKey, so that it is read again before the next write.</summary>
    public void Forget(string partitionKey) => _byPartitionKey.Remove(partitionKey);

    /// <summary>Drops rows of epochs before <paramref name="epoch"/>: enqueued times only grow, so this partition will
    /// not touch them again.</summary>
    public void DropEpochsBefore(long epoch)
    {
        foreach (var rows in _byPartitionKey.Values)
        {
            foreach (var (rowKey, row) in rows)
            {
                if (row.Epoch < epoch)
                {
                    rows.Remove(rowKey);
                }
            }
        }
    }
}
