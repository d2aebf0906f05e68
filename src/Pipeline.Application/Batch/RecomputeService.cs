using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;
using Pipeline.Application.Configuration;
using Pipeline.Application.Ingest;
using Pipeline.Application.Orchestration;
using Pipeline.Application.Storage;
using Pipeline.Application.Time;
using Pipeline.Domain.Views;
using Pipeline.Storage.Tables;

namespace Pipeline.Application.Batch;

/// <summary>Why a recompute could not start.</summary>
/// <param name="Status">The HTTP status that says it (409: not sealed yet).</param>
/// <param name="Message">What is wrong.</param>
public sealed record RecomputeRefusal(int Status, string Message);

/// <summary>
/// Plans and starts recomputes. The cutoff is the newest sealed epoch: every partition's watermark has
/// passed the epochs below it, so no event can still arrive for them. One recompute per view runs at a
/// time: a start while one runs returns the running operation, and the same cutoff is the same operation.
/// </summary>
public sealed class RecomputeService(
    ProgressStore progress,
    PipelineStore store,
    PointerStore pointers,
    PipelineClock clock,
    IOptions<PipelineOptions> options)
{

    /// <summary>The newest sealed epoch (the default cutoff), or null when no partition has progressed.</summary>
    public async Task<long?> SealedCutoffAsync(CancellationToken cancellationToken = default) =>
        SealedCutoff(await progress.ListAsync(cancellationToken).ConfigureAwait(false));

    /// <summary>The newest sealed epoch of these partition positions: the epoch of the oldest watermark.</summary>
    public long? SealedCutoff(IReadOnlyList<PartitionProgress> partitions)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        return partitions.Count == 0 ? null : partitions.Min(p => clock.EpochOf(p.Watermark));
    }

    /// <summary>Starts (or finds) the recompute of a view version up to a cutoff.</summary>
    /// <param name="orchestrations">The host's Durable Task client (the dev host's engine client, or the one Durable Functions binds).</param>
    /// <param name="view">The view version.</param>
    /// <param name="requestedCutoff">The cutoff, or null for the newest sealed epoch.</param>
    /// <param name="full">Fold the whole log even when a batch view to build on exists.</param>
    /// <param name="kind">What the operation is called (<c>recompute</c>, <c>replay</c>): the first part of its id.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public async Task<(OperationStatus? Operation, bool Started, RecomputeRefusal? Refusal)> StartAsync(DurableTaskClient orchestrations, ViewDefinition view, long? requestedCutoff, bool full = false, string kind = "recompute", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(orchestrations);
        ArgumentNullException.ThrowIfNull(view);
        var sealedCutoff = await SealedCutoffAsync(cancellationToken).ConfigureAwait(false);
        if (sealedCutoff is null or <= 0)
        {
            return (null, false, new RecomputeRefusal(409, "no epoch is sealed yet: every partition must have progressed past an epoch before it can be recomputed"));
        }

        var cutoff = requestedCutoff ?? sealedCutoff.Value;
        if (cutoff > sealedCutoff)
        {
            return (null, false, new RecomputeRefusal(409, $"cutoff {cutoff} is beyond the sealed boundary {sealedCutoff}: events of epoch {sealedCutoff} may still arrive"));
        }

        if (cutoff <= 0)
        {
            return (null, false, new RecomputeRefusal(400, $"cutoff must be a positive epoch number; the sealed boundary is {sealedCutoff}"));
        }

        var lockKey = $"recompute.{view.Name}.{view.Version}";
        var running = await store.Operations.GetEntityOrNullAsync("lock", lockKey, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (running?.GetString("Instance") is { } current
            && await PipelineOperations.GetAsync(orchestrations, current, cancellationToken).ConfigureAwait(false) is { State: OperationState.Running } status)
        {
            return (status, false, null);
        }

        var instanceId = string.Create(CultureInfo.InvariantCulture, $"{kind}.{view.Name}.{view.Version}.{cutoff:D12}");
        try
        {
            var lockRow = new TableEntity("lock", lockKey) { ["Instance"] = instanceId };
            _ = running is null
                ? await store.Operations.AddEntityAsync(lockRow, cancellationToken).ConfigureAwait(false)
                : await store.Operations.UpdateEntityAsync(lockRow, running.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            // Another start won the race: report its operation (once the winner has created it).
            var winner = (await store.Operations.GetEntityAsync<TableEntity>("lock", lockKey, cancellationToken: cancellationToken).ConfigureAwait(false)).Value.GetString("Instance")!;
            for (var attempt = 0; attempt < 50; attempt++)
            {
                if (await PipelineOperations.GetAsync(orchestrations, winner, cancellationToken).ConfigureAwait(false) is { } winning)
                {
                    return (winning, false, null);
                }

                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            }

            return (null, false, new RecomputeRefusal(409, $"another recompute ({winner}) is starting; ask again shortly"));
        }

        // Incremental when a batch view of this version exists below the cutoff: only the epochs since are folded.
        // Past the lock, the start is not the caller's to cancel: a client that hangs up still gets its operation.
        var committed = await pointers.GetAsync(view.Name, view.Version, CancellationToken.None).ConfigureAwait(false);
        var since = full || committed is null || committed.Cutoff >= cutoff ? 0 : committed.Cutoff;
        var (operation, started) = await PipelineOperations.StartAsync(
            orchestrations, RecomputeOrchestrator.OrchestratorName, instanceId, new RecomputeInput(view.Name, view.Version, cutoff, since, options.Value.FoldChunkEvents), CancellationToken.None).ConfigureAwait(false);
        return (operation, started, null);
    }
}
