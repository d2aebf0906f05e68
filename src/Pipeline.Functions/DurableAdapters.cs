using System.Text.Json;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Pipeline.Application.Orchestration;

namespace Pipeline.Functions;

/// <summary>
/// The shared orchestration context on Durable Functions' <see cref="TaskOrchestrationContext"/>. Inputs
/// and results cross as JSON in the pipeline's serializer settings; failed activities are retried with
/// back-off (they are idempotent).
/// </summary>
internal sealed class DurableOrchestrationContext(TaskOrchestrationContext inner) : OrchestrationContext
{
    private static readonly TaskOptions Retries = TaskOptions.FromRetryPolicy(new RetryPolicy(
        maxNumberOfAttempts: 5, firstRetryInterval: TimeSpan.FromSeconds(5), backoffCoefficient: 2, maxRetryInterval: TimeSpan.FromMinutes(2)));

    public override string InstanceId => inner.InstanceId;

    public override async Task<TResult> CallActivityAsync<TResult>(string name, object? input = null) =>
        OrchestrationCatalog.FromJson<TResult>(await inner.CallActivityAsync<JsonElement>(name, OrchestrationCatalog.ToJson(input), Retries));

    public override void SetCustomStatus(object? status) => inner.SetCustomStatus(OrchestrationCatalog.ToJson(status));
}

/// <summary>The shared orchestration client on the invocation's <see cref="DurableTaskClient"/>.</summary>
internal sealed class DurableOrchestrationClient(DurableTaskClient client) : IOrchestrationClient
{
    public async Task<(OperationStatus Status, bool Started)> StartAsync(string orchestrator, string instanceId, object? input, CancellationToken stopping)
    {
        if (await GetStatusAsync(instanceId, stopping) is { } existing && existing.State != OperationState.Canceled)
        {
            return (existing, false);
        }

        // A canceled (terminated) instance id starts afresh: Durable Functions reuses ids of finished instances.

        await client.ScheduleNewOrchestrationInstanceAsync(orchestrator, OrchestrationCatalog.ToJson(input), new StartOrchestrationOptions(instanceId), stopping);
        return (await GetStatusAsync(instanceId, stopping) ?? new OperationStatus(instanceId, orchestrator, OperationState.Running, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, null, null, null, null), true);
    }

    public async Task<OperationStatus?> GetStatusAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        var instance = await client.GetInstanceAsync(instanceId, getInputsAndOutputs: true, cancellationToken);
        return instance is null ? null : new OperationStatus(
            instance.InstanceId,
            instance.Name,
            instance.RuntimeStatus switch
            {
                OrchestrationRuntimeStatus.Completed => OperationState.Completed,
                OrchestrationRuntimeStatus.Failed => OperationState.Failed,
                OrchestrationRuntimeStatus.Terminated => OperationState.Canceled,
                _ => OperationState.Running,
            },
            instance.CreatedAt,
            instance.LastUpdatedAt,
            Json(instance.SerializedCustomStatus),
            Json(instance.SerializedOutput),
            instance.FailureDetails?.ErrorMessage,
            CompletedSteps: null);
    }

    public async Task<OperationStatus?> CancelAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        if (await GetStatusAsync(instanceId, cancellationToken) is { State: OperationState.Running })
        {
            await client.TerminateInstanceAsync(instanceId, "canceled on request", cancellationToken);
        }

        return await GetStatusAsync(instanceId, cancellationToken);
    }

    private static JsonElement? Json(string? serialized) => serialized is null ? null : JsonDocument.Parse(serialized).RootElement.Clone();
}
