using Azure;
using Azure.Data.Tables;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;
using Pipeline.Application.Batch;
using Pipeline.Application.Configuration;
using Pipeline.Application.Ingest;
using Pipeline.Application.Outcomes;
using Pipeline.Application.Storage;
using Pipeline.Domain.Views;
using Pipeline.Storage.Tables;

namespace Pipeline.Application.Operations;

/// <summary>
/// Starts recomputes and replays. The cutoff is the newest sealed epoch unless one is asked for (never past
/// it). One run per view version at a time: its lock row names the running operation, a start while it
/// runs returns that one, and the same kind and cutoff is the same operation.
/// </summary>
public sealed class RunStarter(
    SealedBoundary sealedBoundary,
    PipelineStore store,
    PointerStore pointers,
    IOptions<PipelineOptions> options
)
{
    /// <summary>Starts (or finds) a recompute or a replay (<paramref name="kind"/>) of a view version up to a
    /// cutoff.</summary>
    /// <param name="orchestrations">The host's Durable Task client (the dev host's engine client, or the one Durable
    /// Functions binds).</param>
    /// <param name="view">The view version.</param>
    /// <param name="kind">A recompute (incremental where a batch view to build on exists) or a replay (the whole
    /// log).</param>
    /// <param name="requestedCutoff">The cutoff, or null for the newest sealed epoch.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public async Task<Outcome<OperationStarted>> StartAsync(
        DurableTaskClient orchestrations,
        ViewDefinition view,
        OperationKind kind,
        long? requestedCutoff = null,
        CancellationToken cancellationToken = default
    )
    {
        ArgumentNullException.ThrowIfNull(orchestrations);
        ArgumentNullException.ThrowIfNull(view);
        if (kind == OperationKind.Audit)
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "audits are started by the operation service");
        }

        var sealedCutoff = await sealedBoundary.CutoffAsync(cancellationToken).ConfigureAwait(false);
        if (sealedCutoff is null or <= 0)
        {
            return Outcome<OperationStarted>.Conflict(
                "no epoch is sealed yet: every partition must have progressed past an epoch before it can be recomputed"
            );
        }

        var cutoff = requestedCutoff ?? sealedCutoff.Value;
        if (cutoff > sealedCutoff)
        {
            return Outcome<OperationStarted>.Conflict(
                $"cutoff {cutoff} is beyond the sealed boundary {sealedCutoff}: events of epoch {sealedCutoff} may "
                    + $"still arrive"
            );
        }

        if (cutoff <= 0)
        {
            return Outcome<OperationStarted>.Invalid(
                $"cutoff must be a positive epoch number; the sealed boundary is {sealedCutoff}"
            );
        }

        if (await RunningAsync(orchestrations, view.Id, cancellationToken).ConfigureAwait(false) is { } running)
        {
            return Outcome<OperationStarted>.Accepted(OperationStarted.Of(running, started: false));
        }

        var instanceId = OperationIds.ForRun(kind, view.Id, cutoff);
        var locked = await TakeLockAsync(orchestrations, view.Id, instanceId, cancellationToken).ConfigureAwait(false);
        if (locked is not null)
        {
            return locked;
        }

        // Incremental when a batch view of this version exists below the cutoff: only the epochs since are folded.
        // Past the lock, the start is not the caller's to cancel: a client that hangs up still gets its operation.
        var committed = await pointers.GetAsync(view.Id, CancellationToken.None).ConfigureAwait(false);
        var since =
            kind == OperationKind.Replay || committed is null || committed.Cutoff >= cutoff ? 0 : committed.Cutoff;

        // The same kind at the same cutoff is the same operation, unless what it committed is gone (the version
        // was dropped since): then it runs anew instead of answering with a result that no longer stands.
        if (
            (committed is null || committed.Cutoff < cutoff)
            && await PipelineOperations
                .GetAsync(orchestrations, instanceId, CancellationToken.None)
                .ConfigureAwait(false)
                is { State: OperationState.Completed }
        )
        {
            await orchestrations.PurgeInstanceAsync(instanceId, CancellationToken.None).ConfigureAwait(false);
        }

        var settings = options.Value;
        var input = new RecomputeInput(
            view.Name,
            view.Version,
            cutoff,
            since,
            settings.FoldChunkEvents,
            settings.RetryHorizon,
            settings.SettleShardIdentities
        );
        var (operation, started) = await PipelineOperations
            .StartAsync(
                orchestrations,
                RecomputeOrchestrator.OrchestratorName,
                instanceId,
                input,
                CancellationToken.None
            )
            .ConfigureAwait(false);
        return Outcome<OperationStarted>.Accepted(OperationStarted.Of(operation, started));
    }

    /// <summary>The running recompute or replay of a view version, if any.</summary>
    public async Task<OperationStatus?> RunningAsync(
        DurableTaskClient orchestrations,
        ViewVersion version,
        CancellationToken cancellationToken = default
    )
    {
        ArgumentNullException.ThrowIfNull(orchestrations);
        var lockRow = await store
            .Operations.GetEntityOrNullAsync(
                StorageLayout.Operations.LockPartition,
                StorageLayout.Views.RowKey(version),
                cancellationToken: cancellationToken
            )
            .ConfigureAwait(false);
        return
            lockRow?.GetString("Instance") is { } instance
            && await PipelineOperations.GetAsync(orchestrations, instance, cancellationToken).ConfigureAwait(false)
                is { State: OperationState.Running } status
            ? status
            : null;
    }

    /// <summary>Points the version's lock row at the new operation; null when taken, else what to answer
    /// instead.</summary>
    private async Task<Outcome<OperationStarted>?> TakeLockAsync(
        DurableTaskClient orchestrations,
        ViewVersion version,
        string instanceId,
        CancellationToken cancellationToken
    )
    {
        var key = StorageLayout.Views.RowKey(version);
        var existing = await store
            .Operations.GetEntityOrNullAsync(
                StorageLayout.Operations.LockPartition,
                key,
                cancellationToken: cancellationToken
            )
            .ConfigureAwait(false);
        var lockRow = new TableEntity(StorageLayout.Operations.LockPartition, key) { ["Instance"] = instanceId };
        try
        {
            _ = existing is null
                ? await store.Operations.AddEntityAsync(lockRow, cancellationToken).ConfigureAwait(false)
                : await store
                    .Operations.UpdateEntityAsync(lockRow, existing.ETag, TableUpdateMode.Replace, cancellationToken)
                    .ConfigureAwait(false);
            return null;
        }
        catch (RequestFailedException ex) when (OptimisticConcurrency.IsLostRace(ex))
        {
            // Another start won the race: report its operation, once the winner has created it.
            var winner = (
                await store
                    .Operations.GetEntityAsync<TableEntity>(
                        StorageLayout.Operations.LockPartition,
                        key,
                        cancellationToken: cancellationToken
                    )
                    .ConfigureAwait(false)
            ).Value.GetString("Instance")!;
            for (var attempt = 0; attempt < 50; attempt++)
            {
                if (
                    await PipelineOperations
                        .GetAsync(orchestrations, winner, cancellationToken)
                        .ConfigureAwait(false) is
                    { } winning
                )
                {
                    return Outcome<OperationStarted>.Accepted(OperationStarted.Of(winning, started: false));
                }

                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            }

            return Outcome<OperationStarted>.Unavailable(
                $"another run ({winner}) is starting; ask again shortly",
                TimeSpan.FromSeconds(1)
            );
        }
    }
}
