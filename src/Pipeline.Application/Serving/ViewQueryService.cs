using Pipeline.Application.Batch;
using Pipeline.Domain.Epochs;
using Pipeline.Domain.Views;

namespace Pipeline.Application.Serving;

/// <summary>
/// Answers view queries as batch(E) ⊕ speed(epochs ≥ E), with provenance. One key costs at most three
/// storage round trips: the view pointer (cached for a second), then the batch row (a point read, then
/// kept in memory: batch rows never change) and the key's speed rows (one range query) in parallel. A
/// range is one batch scan (also kept) plus one speed scan. Concurrent queries of the same key share
/// speed reads that started after they arrived (<see cref="ReadCoalescer{TKey, TValue}"/>).
/// </summary>
public sealed class ViewQueryService
{
    /// <summary>The most windows a range query may span.</summary>
    public const int MaxRangeWindows = 366;

    /// <summary>Default memory budget for cached batch rows (their stored state bytes).</summary>
    public const long DefaultBatchCacheBytes = 64L * 1024 * 1024;

    private readonly BatchViewReader _batch;
    private readonly ReadCoalescer<(ViewDefinition View, ViewKey Key), IReadOnlyList<SpeedContribution>> _speedKeys;
    private readonly ReadCoalescer<
        (ViewDefinition View, ViewKey From, ViewKey To, long? Since),
        IReadOnlyDictionary<ViewKey, IReadOnlyList<SpeedContribution>>
    > _speedRanges;

    /// <summary>Creates the service; pointers are re-read after <paramref name="pointerLifetime"/> (default one
    /// second).</summary>
    public ViewQueryService(
        Storage.PipelineStore store,
        PointerStore pointers,
        ViewRegistry registry,
        TimeProvider time,
        TimeSpan? pointerLifetime = null,
        long batchCacheBytes = DefaultBatchCacheBytes
    )
    {
        var speed = new SpeedViewReader(store);
        _speedKeys = new(read => speed.ReadKeyAsync(read.View, read.Key, CancellationToken.None));
        _speedRanges = new(read =>
            speed.ReadRangeAsync(read.View, read.From, read.To, read.Since, CancellationToken.None)
        );
        _batch = new BatchViewReader(
            store,
            pointers,
            time,
            pointerLifetime ?? TimeSpan.FromSeconds(1),
            batchCacheBytes
        );
        Registry = registry;
    }

    /// <summary>The registered views.</summary>
    public ViewRegistry Registry { get; }

    /// <summary>The committed batch view of a view version, if any.</summary>
    public Task<BatchPointer?> PointerAsync(ViewDefinition view, CancellationToken cancellationToken = default) =>
        _batch.PointerAsync(view, cancellationToken);

    /// <summary>One key's answer.</summary>
    public async Task<MergedAnswer> QueryKeyAsync(
        ViewDefinition view,
        ViewKey key,
        CancellationToken cancellationToken = default
    )
    {
        ArgumentNullException.ThrowIfNull(view);
        var pointer = await _batch.PointerAsync(view, cancellationToken).ConfigureAwait(false);
        var speed = _speedKeys.ReadAsync((view, key), cancellationToken);
        var batch = pointer is null
            ? null
            : new BatchContribution(
                view.Version,
                pointer.Cutoff,
                await _batch.ReadKeyAsync(view, pointer, key, cancellationToken).ConfigureAwait(false)
            );
        return ServingMerge.Merge(view, key, batch, await speed.ConfigureAwait(false));
    }

    /// <summary>
    /// The answers of every window from <paramref name="from"/> to <paramref name="to"/> that has data, in
    /// window order; of every dimension (in ordinal order within a window) when the ends have none.
    /// </summary>
    public async Task<IReadOnlyList<MergedAnswer>> QueryRangeAsync(
        ViewDefinition view,
        ViewKey from,
        ViewKey to,
        CancellationToken cancellationToken = default
    )
    {
        ArgumentNullException.ThrowIfNull(view);
        var pointer = await _batch.PointerAsync(view, cancellationToken).ConfigureAwait(false);
        var speedTask = _speedRanges.ReadAsync((view, from, to, pointer?.Cutoff), cancellationToken);
        var batch = pointer is null
            ? []
            : await _batch.ReadRangeAsync(view, pointer, from, to, cancellationToken).ConfigureAwait(false);
        var speed = await speedTask.ConfigureAwait(false);
        return
        [
            .. batch
                .Keys.Union(speed.Keys)
                .OrderBy(k => k.WindowStart)
                .ThenBy(k => k.Dimension, StringComparer.Ordinal)
                .Select(key =>
                    ServingMerge.Merge(
                        view,
                        key,
                        pointer is null
                            ? null
                            : new BatchContribution(view.Version, pointer.Cutoff, batch.GetValueOrDefault(key)),
                        speed.GetValueOrDefault(key) ?? []
                    )
                ),
        ];
    }
}
