using System.Globalization;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.Application.Configuration;
using Pipeline.Application.Time;

namespace Pipeline.Application.Operations;

/// <summary>
/// Restarts operations that have stopped moving. A step's message can be lost to the engine: Durable Functions'
/// storage backend refuses, until its process restarts, an activity whose completion and abandonment both failed
/// during a storage outage (Azure/durabletask issue 1173), and its orchestration waits for ever. An operation
/// whose last progress is older than <c>Pipeline:StalledOperationTimeout</c> is stopped and started again under
/// the same id with the same input; its steps get new messages, which run.
/// </summary>
public sealed partial class StalledOperations(
    IOptions<PipelineOptions> options,
    TimeProvider time,
    ILogger<StalledOperations> logger
)
{
    /// <summary>The reason a restarted run's stop records.</summary>
    public const string RestartReason = "restarted: no progress for";

    /// <summary>How often a host checks: a quarter of the timeout, between one second and one minute; null when
    /// the check is off.</summary>
    public TimeSpan? CheckInterval { get; } =
        options.Value.StalledOperationTimeout > TimeSpan.Zero
            ? PipelineClock.CheckIntervalFor(options.Value.StalledOperationTimeout)
            : null;

    /// <summary>Stops and starts again every running operation of the pipeline's kinds without progress for the
    /// timeout; returns how many started again.</summary>
    public async Task<int> RestartAsync(DurableTaskClient orchestrations, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(orchestrations);
        var timeout = options.Value.StalledOperationTimeout;
        if (timeout <= TimeSpan.Zero)
        {
            return 0;
        }

        var query = new OrchestrationQuery
        {
            Statuses = [OrchestrationRuntimeStatus.Running],
            FetchInputsAndOutputs = true,
            PageSize = 100,
        };
        var now = time.GetUtcNow();
        var stalled = new List<OrchestrationMetadata>();
        await foreach (
            var instance in orchestrations
                .GetAllInstancesAsync(query)
                .WithCancellation(cancellationToken)
                .ConfigureAwait(false)
        )
        {
            if (OperationIds.TryParse(instance.InstanceId, out _, out _) && now - instance.LastUpdatedAt >= timeout)
            {
                stalled.Add(instance);
            }
        }

        var restarted = 0;
        var reason = $"{RestartReason} {timeout.ToString("c", CultureInfo.InvariantCulture)}";
        foreach (var instance in stalled)
        {
            var run = await PipelineOperations
                .RestartAsync(orchestrations, instance, reason, cancellationToken)
                .ConfigureAwait(false);
            if (run is not null)
            {
                LogRestarted(instance.InstanceId, now - instance.LastUpdatedAt);
                restarted++;
            }
        }

        return restarted;
    }

    [LoggerMessage(
        Level = LogLevel.Warning,
        Message = "Operation {Operation} made no progress for {Idle}: stopped it and started it again"
    )]
    private partial void LogRestarted(string operation, TimeSpan idle);
}
