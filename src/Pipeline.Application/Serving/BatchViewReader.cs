using System.Collections.Concurrent;
using Pipeline.Application.Batch;
using Pipeline.Application.Storage;
using Pipeline.Domain.Views;
using Pipeline.Storage.Tables;

namespace Pipeline.Application.Serving;

/// <summary>
/// Reads committed batch views: the pointer (kept for a second, since a query reads the batch rows of the
/// cutoff it names and those rows stay after newer commits), one key's row by point read, or a range of
/// days by one PartitionKey range.
/// </summary>
internal sealed class BatchViewReader(PipelineStore store, PointerStore pointers, TimeSpan pointerLifetime)
{    private readonly ConcurrentDictionary<(string, int), (BatchPointer? Pointer, DateTime ReadAt)> _pointers = new();

    public async Task<BatchPointer?> PointerAsync(ViewDefinition view, CancellationToken cancellationToken)
    {
        if (_pointers.TryGetValue((view.Name, view.Version), out var cached) && DateTime.UtcNow - cached.ReadAt < pointerLifetime)
        {
            return cached.Pointer;
        }

        var pointer = await pointers.GetAsync(view.Name, view.Version, cancellationToken).ConfigureAwait(false);
        _pointers[(view.Name, view.Version)] = (pointer, DateTime.UtcNow);
        return pointer;
    }

    public async Task<ViewPartial?> ReadKeyAsync(ViewDefinition view, long cutoff, ViewKey key, CancellationToken cancellationToken)
    {
        var row = await store.Batch.GetEntityIfExistsAsync(BatchRows.PartitionKey(view, cutoff, key.WindowStart), BatchRows.RowKey(view, key), cancellationToken: cancellationToken).ConfigureAwait(false);
        return row is null ? null : BatchRows.PartialOf(row);
    }

    public async Task<Dictionary<ViewKey, ViewPartial>> ReadRangeAsync(ViewDefinition view, long cutoff, ViewKey from, ViewKey to, CancellationToken cancellationToken)
    {
        var first = BatchRows.PartitionKey(view, cutoff, from.WindowStart);
        var last = BatchRows.PartitionKey(view, cutoff, to.WindowStart) + "~";
        var rows = await store.Batch.QueryAsync(TableFilter.Create($"PartitionKey ge {first} and PartitionKey lt {last}"), cancellationToken: cancellationToken)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var result = new Dictionary<ViewKey, ViewPartial>();
        foreach (var row in rows)
        {
            if (view.TryParseKey(row.GetString("Key"), out var key, out _) && key.WindowStart >= from.WindowStart && key.WindowStart <= to.WindowStart
                && string.Equals(key.Dimension, from.Dimension, StringComparison.Ordinal))
            {
                result[key] = BatchRows.PartialOf(row);
            }
        }

        return result;
    }
}
