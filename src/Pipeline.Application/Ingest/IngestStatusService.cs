using Microsoft.Extensions.Options;
using Pipeline.Application.Configuration;
using Pipeline.Application.Time;

namespace Pipeline.Application.Ingest;

/// <summary>One partition's ingest position.</summary>
/// <param name="Partition">The partition.</param>
/// <param name="LastSequence">The last sequence number ingested (-1: none yet).</param>
/// <param name="Watermark">The newest enqueued time ingested (null: none yet).</param>
/// <param name="SecondsBehind">How far the watermark is behind now (null: nothing ingested yet).</param>
/// <param name="Queued">Events accepted but not yet ingested (the dev host's queues; null in Azure, where Event Hubs
/// holds them).</param>
/// <param name="LastEnqueuedSequence">The hub's last enqueued event in the partition (-1: none).</param>
/// <param name="EventsBehind">Events the hub holds beyond what was ingested.</param>
/// <param name="SealedThrough">No event enqueued before this can still arrive in the partition (null:
/// unsealed).</param>
public sealed record PartitionIngest(
    int Partition,
    long LastSequence,
    DateTimeOffset? Watermark,
    double? SecondsBehind,
    long? Queued,
    long LastEnqueuedSequence,
    long EventsBehind,
    DateTimeOffset? SealedThrough
);

/// <summary>What <c>GET /api/ingest</c> shows.</summary>
/// <param name="EpochLength">The epoch length.</param>
/// <param name="SealedCutoffEpoch">The newest sealed epoch: a recompute now covers the epochs below it (null before any
/// ingest).</param>
/// <param name="SealedBefore">When that epoch begins: every event enqueued before it is in the epochs a recompute
/// covers.</param>
/// <param name="Partitions">Each partition's position.</param>
/// <param name="Rates">Events accepted and quarantined by this process lately, and quarantine reasons.</param>
public sealed record IngestStatus(
    TimeSpan EpochLength,
    long? SealedCutoffEpoch,
    DateTimeOffset? SealedBefore,
    IReadOnlyList<PartitionIngest> Partitions,
    IngestRates Rates
);

/// <summary>Each partition's position and lag, the sealed boundary, and what this process ingested lately.</summary>
public sealed class IngestStatusService(
    SealedBoundary sealedBoundary,
    IngestMetrics metrics,
    PipelineClock clock,
    IOptions<PipelineOptions> options,
    IPartitionBacklog? backlog = null
)
{
    /// <summary>The status now.</summary>
    public async Task<IngestStatus> StatusAsync(CancellationToken cancellationToken = default)
    {
        var now = clock.UtcNow;
        var state = await sealedBoundary.StateAsync(cancellationToken).ConfigureAwait(false);
        var queued = backlog?.Queued();
        var partitions = state.Partitions.Select(seal =>
        {
            var applied = seal.Applied;
            var last = applied?.LastSequence ?? -1;
            return new PartitionIngest(
                seal.Hub.Partition,
                last,
                applied?.Watermark,
                applied is null ? null : Math.Max(0, (now - applied.Watermark).TotalSeconds),
                queued?.GetValueOrDefault(seal.Hub.Partition),
                seal.Hub.LastEnqueuedSequence,
                Math.Max(0, seal.Hub.LastEnqueuedSequence - last),
                seal.SealedThrough
            );
        });
        return new IngestStatus(
            options.Value.EpochLength,
            state.Cutoff,
            state.Cutoff is { } cutoff ? clock.StartOf(cutoff) : null,
            [.. partitions],
            metrics.Snapshot()
        );
    }
}
