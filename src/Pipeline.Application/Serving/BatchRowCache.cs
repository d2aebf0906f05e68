using System.Collections.Concurrent;

namespace Pipeline.Application.Serving;

/// <summary>
/// Batch rows kept in memory. A batch view is written once under its own cutoff and never changed, so a
/// cached row is exact for as long as it is kept; a newer commit simply names other PartitionKeys. The
/// cache holds single rows (and their absence) from point reads, and whole days from range scans, up to
/// a budget of stored state bytes, beyond which it starts again empty.
/// </summary>
internal sealed class BatchRowCache(long budgetBytes)
{
    /// <summary>What a row costs beyond its state bytes (keys, objects).</summary>
    private const int RowOverhead = 128;

    private readonly ConcurrentDictionary<(string PartitionKey, string RowKey), CachedRow?> _rows = new();
    private readonly ConcurrentDictionary<string, IReadOnlyDictionary<string, CachedRow>> _days = new(
        StringComparer.Ordinal
    );
    private long _bytes;

    public bool TryGetRow(string partitionKey, string rowKey, out CachedRow? row)
    {
        if (_days.TryGetValue(partitionKey, out var day))
        {
            row = day.GetValueOrDefault(rowKey);
            return true;
        }

        return _rows.TryGetValue((partitionKey, rowKey), out row);
    }

    public void AddRow(string partitionKey, string rowKey, CachedRow? row)
    {
        if (_rows.TryAdd((partitionKey, rowKey), row))
        {
            Charge(RowOverhead + (row?.StateBytes ?? 0));
        }
    }

    public bool TryGetDay(string partitionKey, out IReadOnlyDictionary<string, CachedRow> rows) =>
        _days.TryGetValue(partitionKey, out rows!);

    /// <summary>Every row of one PartitionKey by RowKey (empty: the day has no rows).</summary>
    public void AddDay(string partitionKey, IReadOnlyDictionary<string, CachedRow> rows)
    {
        if (_days.TryAdd(partitionKey, rows))
        {
            Charge(RowOverhead + rows.Values.Sum(r => RowOverhead + r.StateBytes));
        }
    }

    public long Bytes => Interlocked.Read(ref _bytes);

    private void Charge(long bytes)
    {
        if (Interlocked.Add(ref _bytes, bytes) > budgetBytes)
        {
            // Rare (a budget's worth of distinct rows); starting over keeps the bookkeeping trivial.
            _rows.Clear();
            _days.Clear();
            Interlocked.Exchange(ref _bytes, 0);
        }
    }
}

/// <summary>One batch row: its key text and partial, and what its state weighs.</summary>
internal sealed record CachedRow(string RowKey, string Key, Domain.Views.ViewPartial Partial, int StateBytes);
