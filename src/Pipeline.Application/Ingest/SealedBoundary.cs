using Pipeline.Application.Time;

namespace Pipeline.Application.Ingest;

/// <summary>
/// The sealed boundary: the newest epoch E such that no event of an epoch below E can still arrive, because
/// every partition's watermark has passed it. A recompute's default cutoff, and the boundary no cutoff may
/// pass.
/// </summary>
public sealed class SealedBoundary(ProgressStore progress, PipelineClock clock)
{
    /// <summary>The newest sealed epoch, or null when no partition has progressed.</summary>
    public async Task<long?> CutoffAsync(CancellationToken cancellationToken = default) =>
        CutoffOf(await progress.ListAsync(cancellationToken).ConfigureAwait(false));

    /// <summary>The newest sealed epoch of these partition positions: the epoch of the oldest watermark.</summary>
    public long? CutoffOf(IReadOnlyList<PartitionProgress> partitions)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        return partitions.Count == 0 ? null : partitions.Min(p => clock.EpochOf(p.Watermark));
    }
}
