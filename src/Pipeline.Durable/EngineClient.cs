using DurableTask.AzureStorage;
using DurableTask.Core;
using DurableTask.Core.Exceptions;
using DurableTask.Core.History;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using CoreQuery = DurableTask.Core.Query.OrchestrationQuery;

namespace Pipeline.Durable;

/// <summary>
/// A <see cref="DurableTaskClient"/> over the dev host's engine, so that the application starts, reads and
/// cancels operations with the same API as under Durable Functions. Inputs, outputs, custom status and
/// terminate reasons are serialized with the worker's converter (DurableTask.Core's own client would use
/// Newtonsoft and store a terminate reason raw), so statuses have the same JSON on both hosts.
/// </summary>
internal sealed class EngineClient(DurableEngine engine, DataConverter converter) : DurableTaskClient("engine")
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    // A new execution may replace an instance that ended; one that is pending, running or suspended may not.
    private static readonly OrchestrationStatus[] NotRunning =
    [
        OrchestrationStatus.Pending,
        OrchestrationStatus.Running,
        OrchestrationStatus.Suspended,
        OrchestrationStatus.ContinuedAsNew,
    ];

    private AzureStorageOrchestrationService Service => engine.Service;

    public override async Task<string> ScheduleNewOrchestrationInstanceAsync(
        TaskName orchestratorName,
        object? input = null,
        StartOrchestrationOptions? options = null,
        CancellationToken cancellation = default
    )
    {
        var instance = new OrchestrationInstance
        {
            InstanceId = options?.InstanceId ?? Guid.NewGuid().ToString("N"),
            ExecutionId = Guid.NewGuid().ToString("N"),
        };
        var started = new ExecutionStartedEvent(-1, converter.Serialize(input))
        {
            Name = orchestratorName.Name,
            Version = options?.Version?.Version ?? string.Empty,
            OrchestrationInstance = instance,
            ScheduledStartTime = options?.StartAt?.UtcDateTime,
            Tags = options?.Tags?.ToDictionary(t => t.Key, t => t.Value),
        };
        try
        {
            await Service
                .CreateTaskOrchestrationAsync(
                    new TaskMessage { OrchestrationInstance = instance, Event = started },
                    NotRunning
                )
                .ConfigureAwait(false);
        }
        catch (OrchestrationAlreadyExistsException ex)
        {
            throw new InvalidOperationException(
                $"an orchestration with id '{instance.InstanceId}' is already running",
                ex
            );
        }

        // Of two creations racing, the backend keeps one and drops the other without a word: say which this was.
        var created = (
            await Service
                .GetOrchestrationStateAsync(instance.InstanceId, allExecutions: false, fetchInput: false)
                .ConfigureAwait(false)
        ).FirstOrDefault();
        if (created?.OrchestrationInstance?.ExecutionId != instance.ExecutionId)
        {
            throw new InvalidOperationException($"an orchestration with id '{instance.InstanceId}' is already running");
        }

        return instance.InstanceId;
    }

    public override async Task<OrchestrationMetadata?> GetInstancesAsync(
        string instanceId,
        bool getInputsAndOutputs = false,
        CancellationToken cancellation = default
    )
    {
        var states = await Service
            .GetOrchestrationStateAsync(instanceId, allExecutions: false, fetchInput: getInputsAndOutputs)
            .ConfigureAwait(false);
        var state = states?.FirstOrDefault();
        if (state?.OrchestrationInstance is null)
        {
            return null;
        }

        var failure = Failure(state.FailureDetails);
        if (state.OrchestrationStatus == OrchestrationStatus.Failed && failure is null)
        {
            // The backend keeps failure details only in the history (its status row has them as text).
            failure = EngineHistory.CompletionFailure(
                await Service
                    .GetOrchestrationHistoryAsync(instanceId, state.OrchestrationInstance.ExecutionId)
                    .ConfigureAwait(false)
            );
        }

        return Metadata(state, getInputsAndOutputs, failure);
    }

    public override AsyncPageable<OrchestrationMetadata> GetAllInstancesAsync(OrchestrationQuery? filter = null) =>
        Pageable.Create(
            async (string? continuation, int? pageSize, CancellationToken cancellation) =>
            {
                var query = new CoreQuery
                {
                    CreatedTimeFrom = filter?.CreatedFrom?.UtcDateTime,
                    CreatedTimeTo = filter?.CreatedTo?.UtcDateTime,
                    RuntimeStatus = filter?.Statuses?.Select(s => (OrchestrationStatus)s).ToList(),
                    InstanceIdPrefix = filter?.InstanceIdPrefix,
                    PageSize = pageSize ?? filter?.PageSize ?? OrchestrationQuery.DefaultPageSize,
                    ContinuationToken = continuation ?? filter?.ContinuationToken,
                    FetchInputsAndOutputs = filter?.FetchInputsAndOutputs ?? false,
                };
                var result = await Service.GetOrchestrationWithQueryAsync(query, cancellation).ConfigureAwait(false);
                return new Page<OrchestrationMetadata>(
                    [
                        .. result.OrchestrationState.Select(s =>
                            Metadata(s, query.FetchInputsAndOutputs, Failure(s.FailureDetails))
                        ),
                    ],
                    result.ContinuationToken
                );
            }
        );

    public override Task TerminateInstanceAsync(
        string instanceId,
        TerminateInstanceOptions? options = null,
        CancellationToken cancellation = default
    ) => Service.ForceTerminateTaskOrchestrationAsync(instanceId, converter.Serialize(options?.Output));

    public override Task RaiseEventAsync(
        string instanceId,
        string eventName,
        object? eventPayload = null,
        CancellationToken cancellation = default
    ) => SendAsync(instanceId, new EventRaisedEvent(-1, converter.Serialize(eventPayload)) { Name = eventName });

    public override Task SuspendInstanceAsync(
        string instanceId,
        string? reason = null,
        CancellationToken cancellation = default
    ) => SendAsync(instanceId, new ExecutionSuspendedEvent(-1, reason));

    public override Task ResumeInstanceAsync(
        string instanceId,
        string? reason = null,
        CancellationToken cancellation = default
    ) => SendAsync(instanceId, new ExecutionResumedEvent(-1, reason));

    public override Task<OrchestrationMetadata> WaitForInstanceStartAsync(
        string instanceId,
        bool getInputsAndOutputs = false,
        CancellationToken cancellation = default
    ) =>
        WaitAsync(
            instanceId,
            getInputsAndOutputs,
            m => m.RuntimeStatus != OrchestrationRuntimeStatus.Pending,
            cancellation
        );

    public override Task<OrchestrationMetadata> WaitForInstanceCompletionAsync(
        string instanceId,
        bool getInputsAndOutputs = false,
        CancellationToken cancellation = default
    ) => WaitAsync(instanceId, getInputsAndOutputs, m => m.IsCompleted, cancellation);

    public override async Task<Microsoft.DurableTask.Client.PurgeResult> PurgeInstanceAsync(
        string instanceId,
        PurgeInstanceOptions? options = null,
        CancellationToken cancellation = default
    )
    {
        var result = await Service.PurgeInstanceHistoryAsync(instanceId).ConfigureAwait(false);
        return new Microsoft.DurableTask.Client.PurgeResult(result.InstancesDeleted);
    }

    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private async Task<OrchestrationMetadata> WaitAsync(
        string instanceId,
        bool getInputsAndOutputs,
        Func<OrchestrationMetadata, bool> done,
        CancellationToken cancellation
    )
    {
        while (true)
        {
            if (
                await GetInstancesAsync(instanceId, getInputsAndOutputs, cancellation).ConfigureAwait(false)
                    is { } metadata
                && done(metadata)
            )
            {
                return metadata;
            }

            await Task.Delay(PollInterval, cancellation).ConfigureAwait(false);
        }
    }

    private async Task SendAsync(string instanceId, HistoryEvent message)
    {
        var state =
            await GetInstancesAsync(instanceId).ConfigureAwait(false)
            ?? throw new ArgumentException($"there is no orchestration '{instanceId}'", nameof(instanceId));
        await Service
            .SendTaskOrchestrationMessageAsync(
                new TaskMessage
                {
                    OrchestrationInstance = new OrchestrationInstance { InstanceId = state.InstanceId },
                    Event = message,
                }
            )
            .ConfigureAwait(false);
    }

    private OrchestrationMetadata Metadata(
        OrchestrationState state,
        bool withInputsAndOutputs,
        TaskFailureDetails? failure
    ) =>
        new(state.Name, state.OrchestrationInstance.InstanceId)
        {
            RuntimeStatus = (OrchestrationRuntimeStatus)state.OrchestrationStatus,
            CreatedAt = new DateTimeOffset(DateTime.SpecifyKind(state.CreatedTime, DateTimeKind.Utc)),
            LastUpdatedAt = new DateTimeOffset(DateTime.SpecifyKind(state.LastUpdatedTime, DateTimeKind.Utc)),
            SerializedInput = withInputsAndOutputs ? state.Input : null,
            SerializedOutput = withInputsAndOutputs ? state.Output : null,
            SerializedCustomStatus = state.Status,
            FailureDetails = failure,
            DataConverter = converter,
        };

    private static TaskFailureDetails? Failure(FailureDetails? details) =>
        details is null
            ? null
            : new TaskFailureDetails(
                details.ErrorType,
                details.ErrorMessage,
                details.StackTrace,
                Failure(details.InnerFailure),
                details.Properties
            );
}
