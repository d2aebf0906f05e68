using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Pipeline.Application.Storage;
using Pipeline.Storage.Tables;

namespace Pipeline.Application.Orchestration;

/// <summary>
/// Runs orchestrations on the dev host the way Durable Functions does in Azure: each instance's status and
/// every completed activity call are kept in Table storage (PartitionKey = instance id), so an instance cut
/// short by a crash or a stop is resumed by <see cref="ResumeAllAsync"/>: the orchestrator is replayed,
/// finished calls return their recorded results and only the rest run. Activities run with bounded
/// parallelism and a few retries; an instance id runs once at a time.
/// </summary>
public sealed partial class LocalOrchestrationRunner : IOrchestrationClient, IDisposable
{
    private const string StatusRow = "status";
    private const int MaxResultCharacters = 30_000;
    private const int ActivityAttempts = 3;

    private readonly PipelineStore _store;
    private readonly Dictionary<string, IOrchestrator> _orchestrators;
    private readonly Dictionary<string, IActivity> _activities;
    private readonly SemaphoreSlim _activitySlots;
    private readonly Dictionary<string, Task> _running = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CancellationTokenSource> _cancellations = new(StringComparer.Ordinal);
    private readonly ILogger<LocalOrchestrationRunner> _logger;

    /// <summary>Creates a runner for the given orchestrators and activities.</summary>
    public LocalOrchestrationRunner(PipelineStore store, IEnumerable<IOrchestrator> orchestrators, IEnumerable<IActivity> activities, ILogger<LocalOrchestrationRunner> logger, int maxParallelActivities = 4)
    {
        _store = store;
        _orchestrators = orchestrators.ToDictionary(o => o.Name, StringComparer.Ordinal);
        _activities = activities.ToDictionary(a => a.Name, StringComparer.Ordinal);
        _activitySlots = new SemaphoreSlim(Math.Max(1, maxParallelActivities));
        _logger = logger;
    }

    /// <summary>
    /// Starts an instance, or, when the id exists, returns its status without starting another (resuming it
    /// here if it is still marked running but nothing runs it in this process).
    /// </summary>
    public async Task<(OperationStatus Status, bool Started)> StartAsync(string orchestrator, string instanceId, object? input, CancellationToken stopping)
    {
        if (!_orchestrators.ContainsKey(orchestrator))
        {
            throw new ArgumentException($"unknown orchestrator '{orchestrator}'", nameof(orchestrator));
        }

        TableKeys.Validate(instanceId, nameof(instanceId));
        var now = DateTimeOffset.UtcNow;
        var status = new TableEntity(instanceId, StatusRow)
        {
            ["Orchestrator"] = orchestrator,
            ["State"] = OperationState.Running.ToString(),
            ["Input"] = JsonSerializer.Serialize(input, ApiJson.Options),
            ["CreatedAt"] = now,
            ["UpdatedAt"] = now,
            ["CompletedSteps"] = 0,
        };
        try
        {
            await _store.Operations.AddEntityAsync(status, stopping).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            var existing = (await GetStatusAsync(instanceId, stopping).ConfigureAwait(false))!;
            if (existing.State == OperationState.Canceled)
            {
                // Started again after a cancel: it goes on from the steps it had finished.
                var restart = new TableEntity(instanceId, StatusRow) { ["State"] = OperationState.Running.ToString(), ["UpdatedAt"] = DateTimeOffset.UtcNow, ["Error"] = null };
                await _store.Operations.UpsertEntityAsync(restart, TableUpdateMode.Merge, stopping).ConfigureAwait(false);
                Launch(instanceId, stopping);
                return ((await GetStatusAsync(instanceId, stopping).ConfigureAwait(false))!, true);
            }

            if (existing.State == OperationState.Running)
            {
                Launch(instanceId, stopping);
            }

            return (existing, false);
        }

        Launch(instanceId, stopping);
        return ((await GetStatusAsync(instanceId, stopping).ConfigureAwait(false))!, true);
    }

    /// <summary>The status of an instance, or null when there is none.</summary>
    public async Task<OperationStatus?> GetStatusAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        if (!TableKeys.IsValid(instanceId, out _))
        {
            return null;
        }

        var row = await _store.Operations.GetEntityOrNullAsync(instanceId, StatusRow, cancellationToken: cancellationToken).ConfigureAwait(false);
        return row is null ? null : new OperationStatus(
            instanceId,
            row.GetString("Orchestrator") ?? string.Empty,
            Enum.Parse<OperationState>(row.GetString("State") ?? nameof(OperationState.Running)),
            row.GetDateTimeOffset("CreatedAt") ?? default,
            row.GetDateTimeOffset("UpdatedAt") ?? default,
            Json(row.GetString("CustomStatus")),
            Json(row.GetString("Output")),
            row.GetString("Error"),
            row.GetInt32("CompletedSteps") ?? 0);
    }

    /// <summary>
    /// Marks a running instance canceled (so no restart resumes it) and stops its run in this process;
    /// activities already finished keep their effects, which are idempotent and uncommitted.
    /// </summary>
    public async Task<OperationStatus?> CancelAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        var status = await GetStatusAsync(instanceId, cancellationToken).ConfigureAwait(false);
        if (status is not { State: OperationState.Running })
        {
            return status;
        }

        var update = new TableEntity(instanceId, StatusRow) { ["State"] = OperationState.Canceled.ToString(), ["UpdatedAt"] = DateTimeOffset.UtcNow, ["Error"] = "canceled on request" };
        await _store.Operations.UpsertEntityAsync(update, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
        lock (_running)
        {
            if (_cancellations.TryGetValue(instanceId, out var run))
            {
                run.Cancel();
            }
        }

        return await GetStatusAsync(instanceId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Resumes every instance that storage says is running (after a restart).</summary>
    public async Task<int> ResumeAllAsync(CancellationToken stopping)
    {
        var running = await _store.Operations.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"RowKey eq {StatusRow} and State eq {OperationState.Running.ToString()}"), cancellationToken: stopping)
            .ToListAsync(stopping).ConfigureAwait(false);
        foreach (var row in running)
        {
            LogResuming(row.PartitionKey);
            Launch(row.PartitionKey, stopping);
        }

        return running.Count;
    }

    /// <summary>Waits until the instance's run in this process ends (for tests and orderly shutdown).</summary>
    public Task WaitAsync(string instanceId)
    {
        lock (_running)
        {
            return _running.TryGetValue(instanceId, out var run) ? run : Task.CompletedTask;
        }
    }

    /// <summary>Runs the instance in this process unless it already runs here.</summary>
    private void Launch(string instanceId, CancellationToken stopping)
    {
        lock (_running)
        {
            if (_running.TryGetValue(instanceId, out var existing) && !existing.IsCompleted)
            {
                return;
            }

            var cancellation = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            _cancellations[instanceId] = cancellation;
            _running[instanceId] = Task.Run(
                async () =>
                {
                    try
                    {
                        await RunAsync(instanceId, stopping, cancellation.Token).ConfigureAwait(false);
                    }
                    finally
                    {
                        lock (_running)
                        {
                            _cancellations.Remove(instanceId);
                        }

                        cancellation.Dispose();
                    }
                },
                CancellationToken.None);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _activitySlots.Dispose();

    private async Task RunAsync(string instanceId, CancellationToken hostStopping, CancellationToken stopping)
    {
        var completed = 0;
        ReplayContext? context = null;
        using var recording = new SemaphoreSlim(1, 1);
        try
        {
            // Loading the history is inside the try too: a cancel or a stop may come before it is read.
            var rows = await _store.Operations.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {instanceId}"), cancellationToken: stopping).ToListAsync(stopping).ConfigureAwait(false);
            var status = rows.Single(r => r.RowKey == StatusRow);
            var history = rows.Where(r => r.RowKey.StartsWith("step-", StringComparison.Ordinal))
                .ToDictionary(r => int.Parse(r.RowKey[5..], CultureInfo.InvariantCulture), r => new RecordedStep(r.GetString("Activity")!, r.GetString("Result")!));
            var orchestrator = _orchestrators[status.GetString("Orchestrator")!];
            completed = history.Count;
            context = new ReplayContext(instanceId, history, async (index, name, input) =>
            {
                var result = await RunActivityAsync(name, input, stopping).ConfigureAwait(false);

                // Steps of one instance are recorded one at a time, so its status only moves forward.
                await recording.WaitAsync(stopping).ConfigureAwait(false);
                try
                {
                    await RecordStepAsync(instanceId, index, name, result, ++completed, context!, stopping).ConfigureAwait(false);
                }
                finally
                {
                    recording.Release();
                }

                return result;
            });

            using var input = JsonDocument.Parse(status.GetString("Input") ?? "null");
            var output = await orchestrator.RunAsync(context, input.RootElement).ConfigureAwait(false);
            await recording.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            await FinishAsync(instanceId, OperationState.Completed, JsonSerializer.Serialize(output, ApiJson.Options), null, completed, context, CancellationToken.None).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (hostStopping.IsCancellationRequested)
        {
            // Stopped with the host: the instance stays running in storage and resumes at the next start.
            LogStopped(instanceId);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Canceled on request: CancelAsync has already recorded it.
            LogCanceled(instanceId);
        }
        catch (Exception ex) when (ex is InvalidOperationException or InvalidDataException or RequestFailedException or JsonException or ArgumentException or IOException)
        {
            LogFailed(ex, instanceId);
            await FinishAsync(instanceId, OperationState.Failed, null, ex.Message, completed, context, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private async Task<string> RunActivityAsync(string name, object? input, CancellationToken stopping)
    {
        if (!_activities.TryGetValue(name, out var activity))
        {
            throw new InvalidOperationException($"unknown activity '{name}'");
        }

        var element = JsonSerializer.SerializeToElement(input, ApiJson.Options);
        await _activitySlots.WaitAsync(stopping).ConfigureAwait(false);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    var json = JsonSerializer.Serialize(await activity.RunAsync(element, stopping).ConfigureAwait(false), ApiJson.Options);
                    return json.Length <= MaxResultCharacters
                        ? json
                        : throw new InvalidOperationException($"activity '{name}' returned {json.Length} characters; results are kept to {MaxResultCharacters} (write data to storage, return a summary)");
                }
                catch (Exception ex) when (attempt < ActivityAttempts && ex is RequestFailedException or IOException or HttpRequestException or TimeoutException)
                {
                    LogActivityRetry(ex, name, attempt);
                    await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), stopping).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            _activitySlots.Release();
        }
    }

    private async Task RecordStepAsync(string instanceId, int index, string activity, string result, int completedSteps, ReplayContext context, CancellationToken stopping)
    {
        var step = new TableEntity(instanceId, string.Create(CultureInfo.InvariantCulture, $"step-{index:D8}")) { ["Activity"] = activity, ["Result"] = result };
        var status = StatusUpdate(instanceId, context);
        status["CompletedSteps"] = completedSteps;

        // One transaction: the step and the status move together.
        await _store.Operations.SubmitCheckedTransactionAsync(
        [
            new TableTransactionAction(TableTransactionActionType.UpsertReplace, step),
            new TableTransactionAction(TableTransactionActionType.UpsertMerge, status),
        ], stopping).ConfigureAwait(false);
    }

    private async Task FinishAsync(string instanceId, OperationState state, string? output, string? error, int completedSteps, ReplayContext? context, CancellationToken cancellationToken)
    {
        var status = StatusUpdate(instanceId, context);
        status["CompletedSteps"] = completedSteps;
        status["State"] = state.ToString();
        status["Output"] = output;
        status["Error"] = error;
        await _store.Operations.UpsertEntityAsync(status, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
    }

    private static TableEntity StatusUpdate(string instanceId, ReplayContext? context)
    {
        var status = new TableEntity(instanceId, StatusRow) { ["UpdatedAt"] = DateTimeOffset.UtcNow };
        if (context?.CustomStatusChanged == true)
        {
            status["CustomStatus"] = JsonSerializer.Serialize(context.CustomStatus, ApiJson.Options);
        }

        return status;
    }

    private static JsonElement? Json(string? text) => text is null ? null : JsonDocument.Parse(text).RootElement.Clone();

    [LoggerMessage(Level = LogLevel.Information, Message = "Canceled orchestration {InstanceId}")]
    private partial void LogCanceled(string instanceId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Resuming orchestration {InstanceId}")]
    private partial void LogResuming(string instanceId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Orchestration {InstanceId} stopped with the host; it resumes at the next start")]
    private partial void LogStopped(string instanceId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Orchestration {InstanceId} failed")]
    private partial void LogFailed(Exception error, string instanceId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Activity {Activity} failed (attempt {Attempt}); retrying")]
    private partial void LogActivityRetry(Exception error, string activity, int attempt);
}
