using System.Text.Json;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace Pipeline.Application.Operations;

/// <summary>The state of an operation (an orchestration instance), as the API reports it.</summary>
public enum OperationState
{
    /// <summary>Scheduled or running (also while waiting to resume after a restart).</summary>
    Running,

    /// <summary>Finished with an output.</summary>
    Completed,

    /// <summary>Stopped by an error.</summary>
    Failed,

    /// <summary>Stopped on request before it finished; nothing it would have committed was.</summary>
    Canceled,
}

/// <summary>What <c>GET /api/operations/{id}</c> shows of an orchestration instance.</summary>
/// <param name="InstanceId">The operation id.</param>
/// <param name="Orchestrator">The orchestrator.</param>
/// <param name="State">Its state.</param>
/// <param name="CreatedAt">When it started.</param>
/// <param name="UpdatedAt">When it last changed.</param>
/// <param name="CustomStatus">Its published progress.</param>
/// <param name="Output">Its output, when completed.</param>
/// <param name="Error">Its error, when failed; the reason, when canceled.</param>
public sealed record OperationStatus(
    string InstanceId,
    string Orchestrator,
    OperationState State,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    JsonElement? CustomStatus,
    JsonElement? Output,
    string? Error
)
{
    /// <summary>
    /// The status of an instance as any <see cref="DurableTaskClient"/> reports it (the dev host's engine
    /// client, or the one Durable Functions binds): both serialize with <see cref="PipelineTasks.DataConverter"/>,
    /// so the JSON is the same on both hosts.
    /// </summary>
    public static OperationStatus From(OrchestrationMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var state = metadata.RuntimeStatus switch
        {
            OrchestrationRuntimeStatus.Completed => OperationState.Completed,
            OrchestrationRuntimeStatus.Failed => OperationState.Failed,
            OrchestrationRuntimeStatus.Terminated => OperationState.Canceled,
            _ => OperationState.Running,
        };
        var error = state switch
        {
            OperationState.Failed => Innermost(metadata.FailureDetails) ?? "the operation failed",
            OperationState.Canceled => Parse(metadata.SerializedOutput) is { ValueKind: JsonValueKind.String } reason
                ? reason.GetString()
                : "canceled",
            _ => null,
        };
        return new OperationStatus(
            metadata.InstanceId,
            metadata.Name,
            state,
            metadata.CreatedAt,
            metadata.LastUpdatedAt,
            Parse(metadata.SerializedCustomStatus),
            state == OperationState.Completed ? Parse(metadata.SerializedOutput) : null,
            error
        );
    }

    /// <summary>The message of the exception that started the failure (an activity's, not the orchestrator's
    /// wrapper).</summary>
    private static string? Innermost(TaskFailureDetails? failure)
    {
        while (failure?.InnerFailure is not null)
        {
            failure = failure.InnerFailure;
        }

        return failure?.ErrorMessage;
    }

    private static JsonElement? Parse(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            // Not JSON (a reason stored raw by some other client): report it as text.
            return JsonSerializer.SerializeToElement(json);
        }
    }
}
