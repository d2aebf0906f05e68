using System.Text.Json;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Pipeline.Storage.Tables;

namespace Pipeline.Application.Operations;

/// <summary>
/// Starts, reads and cancels operations through a <see cref="DurableTaskClient"/>, whichever host provides
/// it, with the pipeline's rules: only registered orchestrators; an id runs once at a time (a start while it
/// runs, or after it completed, returns it); a failed or canceled operation may be started again.
/// </summary>
public static class PipelineOperations
{
    /// <summary>The reason a canceled operation shows.</summary>
    public const string CanceledReason = "canceled on request";

    /// <summary>Starts an instance, or returns the existing one with that id unless it failed or was
    /// canceled.</summary>
    /// <exception cref="ArgumentException">The orchestrator is not one of the pipeline's, or the id is not
    /// usable.</exception>
    public static async Task<(OperationStatus Status, bool Started)> StartAsync(
        DurableTaskClient client,
        string orchestrator,
        string instanceId,
        object? input,
        CancellationToken cancellationToken = default
    )
    {
        ArgumentNullException.ThrowIfNull(client);
        if (!PipelineTasks.OrchestratorNames.Contains(orchestrator, StringComparer.Ordinal))
        {
            // The engine would keep an instance of an unknown orchestrator pending forever.
            throw new ArgumentException(
                $"unknown orchestrator '{orchestrator}'; the pipeline's are "
                    + $"{string.Join(", ", PipelineTasks.OrchestratorNames)}",
                nameof(orchestrator)
            );
        }

        TableKeys.Validate(instanceId, nameof(instanceId));
        var existing = await client
            .GetInstanceAsync(instanceId, getInputsAndOutputs: true, cancellationToken)
            .ConfigureAwait(false);
        if (
            existing is not null
            && existing.RuntimeStatus
                is not (OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated)
        )
        {
            return (OperationStatus.From(existing), false);
        }

        try
        {
            await client
                .ScheduleNewOrchestrationInstanceAsync(
                    orchestrator,
                    input,
                    new StartOrchestrationOptions(instanceId),
                    cancellationToken
                )
                .ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Another start won the race (each client says so in its own way): report the winner's instance.
            var winner = await client
                .GetInstanceAsync(instanceId, getInputsAndOutputs: true, cancellationToken)
                .ConfigureAwait(false);
            if (
                winner is null
                || winner.RuntimeStatus is OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated
            )
            {
                throw;
            }

            return (OperationStatus.From(winner), false);
        }

        var started = await client
            .GetInstanceAsync(instanceId, getInputsAndOutputs: true, cancellationToken)
            .ConfigureAwait(false);
        return (
            OperationStatus.From(
                started
                    ?? throw new InvalidOperationException(
                        $"operation '{instanceId}' was started but cannot be read back"
                    )
            ),
            true
        );
    }

    /// <summary>An operation's status, or null when there is none (or the id cannot be one).</summary>
    public static async Task<OperationStatus?> GetAsync(
        DurableTaskClient client,
        string instanceId,
        CancellationToken cancellationToken = default
    )
    {
        ArgumentNullException.ThrowIfNull(client);
        if (!TableKeys.IsValid(instanceId, out _))
        {
            return null;
        }

        var metadata = await client
            .GetInstanceAsync(instanceId, getInputsAndOutputs: true, cancellationToken)
            .ConfigureAwait(false);
        return metadata is null ? null : OperationStatus.From(metadata);
    }

    /// <summary>
    /// Stops a running operation (it commits nothing: the commit is its last step) and waits a few seconds
    /// for the stop to be recorded; returns the status afterwards, or null when there is no such operation.
    /// </summary>
    public static async Task<OperationStatus?> CancelAsync(
        DurableTaskClient client,
        string instanceId,
        CancellationToken cancellationToken = default
    )
    {
        var status = await GetAsync(client!, instanceId, cancellationToken).ConfigureAwait(false);
        if (status is not { State: OperationState.Running })
        {
            return status;
        }

        await client!
            .TerminateInstanceAsync(
                instanceId,
                new TerminateInstanceOptions { Output = CanceledReason },
                cancellationToken
            )
            .ConfigureAwait(false);
        await WaitForStopAsync(client, instanceId, cancellationToken).ConfigureAwait(false);
        return await GetAsync(client, instanceId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Stops an operation that has stopped moving and starts it again under the same id with the same input: every
    /// step is idempotent and the commit is the last one, so what the stopped run did is redone, never doubled.
    /// Returns the new run, or null when the operation was no longer running or its stop was not recorded in time
    /// (the next check tries again).
    /// </summary>
    public static async Task<OperationStatus?> RestartAsync(
        DurableTaskClient client,
        OrchestrationMetadata stalled,
        string reason,
        CancellationToken cancellationToken = default
    )
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(stalled);
        if (stalled.RuntimeStatus != OrchestrationRuntimeStatus.Running)
        {
            return null;
        }

        // Another host's timer may have restarted it since it was listed: only the run seen stalled is stopped.
        var current = await client
            .GetInstanceAsync(stalled.InstanceId, getInputsAndOutputs: false, cancellationToken)
            .ConfigureAwait(false);
        if (
            current is not { RuntimeStatus: OrchestrationRuntimeStatus.Running }
            || current.LastUpdatedAt != stalled.LastUpdatedAt
        )
        {
            return null;
        }

        // Read before the stop: the new run gets exactly the input the stalled one had.
        object? input = stalled.SerializedInput is null ? null : stalled.ReadInputAs<JsonElement>();
        await client
            .TerminateInstanceAsync(
                stalled.InstanceId,
                new TerminateInstanceOptions { Output = reason },
                cancellationToken
            )
            .ConfigureAwait(false);
        await WaitForStopAsync(client, stalled.InstanceId, cancellationToken).ConfigureAwait(false);
        var (status, started) = await StartAsync(client, stalled.Name, stalled.InstanceId, input, cancellationToken)
            .ConfigureAwait(false);
        return started ? status : null;
    }

    /// <summary>Waits a few seconds for a requested stop to be recorded.</summary>
    private static async Task WaitForStopAsync(
        DurableTaskClient client,
        string instanceId,
        CancellationToken cancellationToken
    )
    {
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        patience.CancelAfter(TimeSpan.FromSeconds(15));
        try
        {
            await client
                .WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: false, patience.Token)
                .ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Still being stopped: the caller reports the state as it is.
        }
    }
}
