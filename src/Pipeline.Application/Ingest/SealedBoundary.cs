using Microsoft.Extensions.Options;
using Pipeline.Application.Configuration;
using Pipeline.Application.Time;

namespace Pipeline.Application.Ingest;

/// <summary>One partition as sealing sees it: what the hub holds, what ingest applied, and how far it is
/// sealed.</summary>
/// <param name="Hub">What Event Hubs says of the partition.</param>
/// <param name="Applied">How far ingest has applied it (null: never).</param>
/// <param name="SealedThrough">No event enqueued before this instant can still arrive (null: unsealed).</param>
public sealed record PartitionSeal(HubPartition Hub, PartitionProgress? Applied, DateTimeOffset? SealedThrough);

/// <summary>The sealed boundary and each partition's part in it.</summary>
/// <param name="Cutoff">The newest sealed epoch (epochs below it are complete), or null while a partition is
/// unsealed.</param>
/// <param name="Partitions">Every partition of the hub.</param>
public sealed record SealedState(long? Cutoff, IReadOnlyList<PartitionSeal> Partitions);

/// <summary>
/// The sealed boundary: the newest epoch E such that no event of an epoch below E can still arrive. It is
/// computed against the event hub's whole partition set and its own properties, the same way on both hosts:
/// <list type="bullet">
/// <item>a partition the hub says is empty, or whose last enqueued event ingest has applied, is sealed up to
/// now (less <c>Pipeline:SealingMargin</c> for the hub's clock): its next event is enqueued later, so a quiet
/// partition never holds the batch layer back;</item>
/// <item>a partition ingest is behind on is sealed up to its watermark (enqueued times only grow);</item>
/// <item>a partition that holds events ingest has never applied is unsealed: its backlog may be of any age.</item>
/// </list>
/// </summary>
public sealed class SealedBoundary(
    ProgressStore progress,
    IEventHubPartitions hub,
    PipelineClock clock,
    IOptions<PipelineOptions> options
)
{
    /// <summary>The newest sealed epoch (the default cutoff), or null while a partition is unsealed.</summary>
    public async Task<long?> CutoffAsync(CancellationToken cancellationToken = default) =>
        (await StateAsync(cancellationToken).ConfigureAwait(false)).Cutoff;

    /// <summary>The boundary and each partition's seal, as of now.</summary>
    public async Task<SealedState> StateAsync(CancellationToken cancellationToken = default)
    {
        // Read before asking: whatever the hub enqueues after this instant is later than it.
        var asOf = clock.UtcNow - options.Value.SealingMargin;
        var partitions = await hub.ListAsync(cancellationToken).ConfigureAwait(false);
        var applied = (await progress.ListAsync(cancellationToken).ConfigureAwait(false))
            .Where(p => p.LastSequence >= 0)
            .ToDictionary(p => p.Partition);
        var seals = partitions
            .Select(h => new PartitionSeal(
                h,
                applied.GetValueOrDefault(h.Partition),
                SealedThrough(h, applied.GetValueOrDefault(h.Partition), asOf)
            ))
            .ToList();
        long? cutoff =
            seals.Count == 0 || seals.Any(s => s.SealedThrough is null)
                ? null
                : seals.Min(s => clock.EpochOf(s.SealedThrough!.Value));
        return new SealedState(cutoff, seals);
    }

    private static DateTimeOffset? SealedThrough(HubPartition hub, PartitionProgress? applied, DateTimeOffset asOf)
    {
        if (hub.IsEmpty)
        {
            return asOf;
        }

        if (applied is null)
        {
            return null;
        }

        return applied.LastSequence >= hub.LastEnqueuedSequence
            ? Later(asOf, hub.LastEnqueuedTime ?? applied.Watermark)
            : applied.Watermark;
    }

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
