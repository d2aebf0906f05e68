using Pipeline.Application.Ingest;
using Pipeline.Domain.Epochs;

namespace Pipeline.Application.Api;

/// <summary>One partition's ingest position.</summary>
/// <param name="Partition">The partition.</param>
/// <param name="LastSequence">The last sequence number ingested.</param>
/// <param name="Watermark">The newest enqueued time ingested (idle partitions move it on once an epoch).</param>
/// <param name="SecondsBehind">How far the watermark is behind now.</param>
/// <param name="Queued">Events accepted but not yet ingested (the dev host's queues; null in Azure, where Event Hubs holds them).</param>
public sealed record PartitionIngest(int Partition, long LastSequence, DateTimeOffset Watermark, double SecondsBehind, long? Queued);

/// <summary>What <c>GET /api/ingest</c> shows.</summary>
/// <param name="EpochLength">The epoch length.</param>
/// <param name="SealedCutoffEpoch">The newest sealed epoch: a recompute now covers the epochs below it (null before any ingest).</param>
/// <param name="SealedBefore">When that epoch begins: every event enqueued before it is in the epochs a recompute covers.</param>
/// <param name="Partitions">Each partition's position.</param>
/// <param name="Rates">Events accepted and quarantined by this process lately, and quarantine reasons.</param>
public sealed record IngestStatus(TimeSpan EpochLength, long? SealedCutoffEpoch, DateTimeOffset? SealedBefore, IReadOnlyList<PartitionIngest> Partitions, IngestRates Rates);

public sealed partial class PipelineApi
{
    /// <summary><c>GET /api/ingest</c>: each partition's position and lag, the sealed boundary, and recent rates.</summary>
    public async Task<ApiResponse> GetIngestAsync(ProgressStore progress, IngestMetrics metrics, IPartitionBacklog? backlog, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(progress);
        ArgumentNullException.ThrowIfNull(metrics);
        var now = clock.UtcNow;
        var partitions = await progress.ListAsync(cancellationToken).ConfigureAwait(false);
        var queued = backlog?.Queued();
        var sealedCutoff = recomputes.SealedCutoff(partitions);
        return ApiResponse.Ok(new IngestStatus(
            options.Value.EpochLength,
            sealedCutoff,
            sealedCutoff is { } cutoff ? clock.StartOf(cutoff) : null,
            [.. partitions.Concat(NotIngestedYet(partitions, queued)).OrderBy(p => p.Partition)
                .Select(p => new PartitionIngest(p.Partition, p.LastSequence, p.Watermark, Math.Max(0, (now - p.Watermark).TotalSeconds), queued?.GetValueOrDefault(p.Partition)))],
            metrics.Snapshot()));
    }

    /// <summary>Partitions whose events are queued but none ingested yet (they have no progress row).</summary>
    private static IEnumerable<PartitionProgress> NotIngestedYet(IReadOnlyList<PartitionProgress> partitions, IReadOnlyDictionary<int, long>? queued) =>
        (queued?.Keys ?? []).Where(p => partitions.All(known => known.Partition != p))
            .Select(p => new PartitionProgress(p, -1, DateTimeOffset.MinValue, default));
}
