using System.Collections.Concurrent;
using Azure.Data.Tables;
using Pipeline.Application.Batch;
using Pipeline.Application.Storage;
using Pipeline.Domain.Views;
using Pipeline.Storage.Tables;

namespace Pipeline.Application.Serving;

/// <summary>
/// Reads committed batch views: the pointer (kept for a while, since a query reads the batch rows of the
/// cutoff it names and those rows stay after newer commits), one key's row by point read, or a range of
/// days by one PartitionKey range. Rows are immutable, so they are served from memory once read, and
/// concurrent queries that miss the cache share one read (after a new commit every query misses at
/// once; without sharing, each would send its own range scan).
/// </summary>
internal sealed class BatchViewReader
{
    private readonly PipelineStore _store;
    private readonly PointerStore _pointerStore;
    private readonly TimeSpan _pointerLifetime;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<(string, int), (BatchPointer? Pointer, long ReadAt)> _pointers = new();
    private readonly ReadCoalescer<ViewDefinition, BatchPointer?> _pointerReads;
    private readonly BatchRowCache _cache;
    private readonly ConcurrentDictionary<
        string,
        Lazy<Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, CachedRow>>>>
    > _dayLoads = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string PartitionKey, string RowKey), Lazy<Task<CachedRow?>>> _rowLoads =
        new();
    private readonly ConcurrentDictionary<(string, int), ServedDays> _servedDays = new();
    private readonly ConcurrentDictionary<string, Lazy<Task<ServedDays>>> _servedDaysLoads = new(
        StringComparer.Ordinal
    );

    public BatchViewReader(
        PipelineStore store,
        PointerStore pointers,
        TimeProvider time,
        TimeSpan pointerLifetime,
        long cacheBudgetBytes
    )
    {
        _time = time;
        _store = store;
        _pointerStore = pointers;
        _pointerLifetime = pointerLifetime;
        _pointerReads = new(ReadPointerAsync);
        _cache = new(cacheBudgetBytes);
    }

    public async Task<BatchPointer?> PointerAsync(ViewDefinition view, CancellationToken cancellationToken)
    {
        if (
            _pointers.TryGetValue((view.Name, view.Version), out var cached)
            && _time.GetElapsedTime(cached.ReadAt) < _pointerLifetime
        )
        {
            return cached.Pointer;
        }

        // When the cached pointer expires under load, the waiting queries share one read.
        return await _pointerReads.ReadAsync(view, cancellationToken).ConfigureAwait(false);
    }

    private async Task<BatchPointer?> ReadPointerAsync(ViewDefinition view)
    {
        var readAt = _time.GetTimestamp();
        var pointer = await _pointerStore.GetAsync(view.Id, CancellationToken.None).ConfigureAwait(false);
        _pointers[(view.Name, view.Version)] = (pointer, readAt);
        return pointer;
    }

    /// <summary>Which copy of each day the pointer's batch view serves (read once per commit: the list never
    /// changes).</summary>
    private async Task<ServedDays> ServedDaysAsync(
        ViewDefinition view,
        BatchPointer pointer,
        CancellationToken cancellationToken
    )
    {
        if (pointer.ServedDaysBlob is not { } blob)
        {
            return ServedDays.Whole(pointer.Cutoff);
        }

        if (_servedDays.TryGetValue((view.Name, view.Version), out var known) && known.Cutoff == pointer.Cutoff)
        {
            return known;
        }

        var served = await SharedAsync(
                _servedDaysLoads,
                blob,
                () => ServedDays.ReadAsync(_store, blob, pointer.Cutoff, CancellationToken.None),
                cancellationToken
            )
            .ConfigureAwait(false);
        _servedDays.AddOrUpdate(
            (view.Name, view.Version),
            served,
            (_, other) => other.Cutoff > served.Cutoff ? other : served
        );
        return served;
    }

    public async Task<ViewPartial?> ReadKeyAsync(
        ViewDefinition view,
        BatchPointer pointer,
        ViewKey key,
        CancellationToken cancellationToken
    )
    {
        var served = await ServedDaysAsync(view, pointer, cancellationToken).ConfigureAwait(false);
        if (served.PartitionKeyOf(view, key.WindowStart) is not { } partitionKey)
        {
            return null;
        }

        var rowKey = BatchRows.RowKey(view, key);
        if (!_cache.TryGetRow(partitionKey, rowKey, out var row))
        {
            row = await SharedAsync(
                    _rowLoads,
                    (partitionKey, rowKey),
                    async () =>
                    {
                        var entity = await _store
                            .Batch.GetEntityOrNullAsync(partitionKey, rowKey)
                            .ConfigureAwait(false);
                        var loaded = entity is null ? null : Cached(entity);
                        _cache.AddRow(partitionKey, rowKey, loaded);
                        return loaded;
                    },
                    cancellationToken
                )
                .ConfigureAwait(false);
        }

        return row?.Partial;
    }

    public async Task<Dictionary<ViewKey, ViewPartial>> ReadRangeAsync(
        ViewDefinition view,
        BatchPointer pointer,
        ViewKey from,
        ViewKey to,
        CancellationToken cancellationToken
    )
    {
        var served = await ServedDaysAsync(view, pointer, cancellationToken).ConfigureAwait(false);
        var days = new List<string>();
        for (
            var day = from.WindowStart.Date;
            day <= to.WindowStart.Date;
            day = view.Window.SpansDays() ? view.Window.Next(day) : day.AddDays(1)
        )
        {
            if (served.PartitionKeyOf(view, day) is { } partitionKey)
            {
                days.Add(partitionKey);
            }
        }

        if (days.Count == 0)
        {
            return [];
        }

        Dictionary<string, IReadOnlyDictionary<string, CachedRow>>? fromCache = new(StringComparer.Ordinal);
        foreach (var day in days)
        {
            if (!_cache.TryGetDay(day, out var rows))
            {
                fromCache = null;
                break;
            }

            fromCache[day] = rows;
        }

        var cached =
            fromCache
            ?? await SharedAsync(_dayLoads, string.Join('|', days), () => LoadDaysAsync(days), cancellationToken)
                .ConfigureAwait(false);

        var result = new Dictionary<ViewKey, ViewPartial>();
        foreach (var rows in cached.Values)
        {
            foreach (var row in rows.Values)
            {
                if (
                    view.TryParseKey(row.Key, out var key, out _)
                    && key.WindowStart >= from.WindowStart
                    && key.WindowStart <= to.WindowStart
                    && (
                        from.Dimension is null || string.Equals(key.Dimension, from.Dimension, StringComparison.Ordinal)
                    )
                )
                {
                    result[key] = row.Partial;
                }
            }
        }

        return result;
    }

    /// <summary>Reads the days' rows: one PartitionKey range per cutoff that serves some of them, ranges at
    /// once.</summary>
    private async Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, CachedRow>>> LoadDaysAsync(
        List<string> days
    )
    {
        var loaded = days.ToDictionary(
            day => day,
            _ => new Dictionary<string, CachedRow>(StringComparer.Ordinal),
            StringComparer.Ordinal
        );
        await Task.WhenAll(
                ServedDays
                    .Ranges(days)
                    .Select(async range =>
                    {
                        var filter = TableClient.CreateQueryFilter(
                            $"PartitionKey ge {range.First} and PartitionKey le {range.Last}"
                        );
                        await foreach (var entity in _store.Batch.QueryAsync<TableEntity>(filter).ConfigureAwait(false))
                        {
                            if (loaded.TryGetValue(entity.PartitionKey, out var rows))
                            {
                                rows[entity.RowKey] = Cached(entity);
                            }
                        }
                    })
            )
            .ConfigureAwait(false);

        foreach (var (day, rows) in loaded)
        {
            _cache.AddDay(day, rows);
        }

        return loaded.ToDictionary(
            d => d.Key,
            d => (IReadOnlyDictionary<string, CachedRow>)d.Value,
            StringComparer.Ordinal
        );
    }

    /// <summary>
    /// Runs <paramref name="load"/> once for every caller that asks for <paramref name="key"/> while it runs
    /// (what it reads never changes, so a load that started earlier is as good as a new one). A caller
    /// that gives up does not stop it; a failed load is forgotten, so the next caller tries again.
    /// </summary>
    private static async Task<TValue> SharedAsync<TKey, TValue>(
        ConcurrentDictionary<TKey, Lazy<Task<TValue>>> loads,
        TKey key,
        Func<Task<TValue>> load,
        CancellationToken cancellationToken
    )
        where TKey : notnull
    {
        var shared = loads.GetOrAdd(key, _ => new Lazy<Task<TValue>>(() => Task.Run(load, CancellationToken.None)));
        try
        {
            return await shared.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (shared.Value.IsCompleted)
            {
                loads.TryRemove(new KeyValuePair<TKey, Lazy<Task<TValue>>>(key, shared));
            }
        }
    }

    private static CachedRow Cached(TableEntity entity) =>
        new(
            entity.RowKey,
            entity.GetString("Key") ?? string.Empty,
            BatchRows.PartialOf(entity),
            StateColumns.Length(entity)
        );
}
