using System.Text.Json;

namespace Pipeline.Application.Orchestration;

/// <summary>
/// What an orchestrator may do, shaped like Durable Functions' <c>TaskOrchestrationContext</c>: call
/// activities (start several, then await them all, to fan out) and publish a custom status. An
/// orchestrator must be deterministic: no clock, GUID, I/O or randomness of its own, because after a
/// crash it is run again from the start and its completed activity calls return their recorded results.
/// </summary>
public abstract class OrchestrationContext
{
    /// <summary>The instance id.</summary>
    public abstract string InstanceId { get; }

    /// <summary>Calls an activity by name; its result is recorded, so a replay does not run it again.</summary>
    public abstract Task<TResult> CallActivityAsync<TResult>(string name, object? input = null);

    /// <summary>Publishes progress that status queries show.</summary>
    public abstract void SetCustomStatus(object? status);
}

/// <summary>An orchestrator: written once, run by the local runner on the dev host and by Durable Functions in Azure.</summary>
public interface IOrchestrator
{
    /// <summary>The orchestrator's name.</summary>
    string Name { get; }

    /// <summary>Runs (or replays) the orchestration.</summary>
    Task<object?> RunAsync(OrchestrationContext context, JsonElement input);
}

/// <summary>An activity: idempotent work that writes deterministic content to deterministic places.</summary>
public interface IActivity
{
    /// <summary>The activity's name.</summary>
    string Name { get; }

    /// <summary>Does the work.</summary>
    Task<object?> RunAsync(JsonElement input, CancellationToken cancellationToken);
}

/// <summary>The state of an orchestration instance.</summary>
public enum OperationState
{
    /// <summary>Running (or waiting to be resumed after a restart).</summary>
    Running,

    /// <summary>Finished with an output.</summary>
    Completed,

    /// <summary>Stopped by an error.</summary>
    Failed,

    /// <summary>Stopped on request before it finished; nothing it would have committed was.</summary>
    Canceled,
}

/// <summary>What <c>GET /api/operations/{id}</c> shows.</summary>
/// <param name="InstanceId">The operation id.</param>
/// <param name="Orchestrator">The orchestrator.</param>
/// <param name="State">Its state.</param>
/// <param name="CreatedAt">When it started.</param>
/// <param name="UpdatedAt">When it last changed.</param>
/// <param name="CustomStatus">Its published progress.</param>
/// <param name="Output">Its output, when completed.</param>
/// <param name="Error">Its error, when failed.</param>
/// <param name="CompletedSteps">Activity calls completed so far (the local runner counts them; Durable Functions does not say).</param>
public sealed record OperationStatus(
    string InstanceId,
    string Orchestrator,
    OperationState State,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    JsonElement? CustomStatus,
    JsonElement? Output,
    string? Error,
    int? CompletedSteps);

/// <summary>Starts orchestrations and reads their status: the local runner on the dev host, Durable Functions in Azure.</summary>
public interface IOrchestrationClient
{
    /// <summary>Starts an instance, or returns the existing one with that id.</summary>
    Task<(OperationStatus Status, bool Started)> StartAsync(string orchestrator, string instanceId, object? input, CancellationToken stopping);

    /// <summary>An instance's status, or null.</summary>
    Task<OperationStatus?> GetStatusAsync(string instanceId, CancellationToken cancellationToken = default);

    /// <summary>Stops a running instance; returns its status afterwards, or null when there is no such instance.</summary>
    Task<OperationStatus?> CancelAsync(string instanceId, CancellationToken cancellationToken = default);
}
