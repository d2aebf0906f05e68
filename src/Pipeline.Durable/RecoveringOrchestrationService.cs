using System.Collections;
using System.Reflection;
using DurableTask.AzureStorage;
using DurableTask.Core;

namespace Pipeline.Durable;

/// <summary>
/// The worker's view of the Azure Storage backend, changed in two ways that let work move again after a storage
/// failure; everything else is the backend's own.
/// <list type="bullet">
/// <item>A one-second pause after a work item or a fetch fails, instead of the backend's ten. DurableTask.Core
/// applies that pause after every fetch until five work items have succeeded, so after a storage outage of seconds
/// four orchestrations took a minute or more to move again, and the control-queue messages they had buffered
/// meanwhile outlived their visibility timeout, failed their delete (pop receipt mismatch) and restarted the
/// ten-second pauses: up to minutes of no progress after the storage was back.</item>
/// <item>An activity work item that could neither be completed nor abandoned (storage failing on both, or its pop
/// receipt gone stale because a renewal reached the queue but its answer did not) is forgotten. The backend only
/// forgets one after a completion or an abandon succeeds, and refuses, for the life of the process, every later
/// delivery of a message it still remembers ("being processed multiple times concurrently", Azure/durabletask
/// issue 1173): the activity never ran again and its orchestration waited for ever. Forgotten, the message runs
/// again once its visibility timeout passes, as after a crash; activities are idempotent.</item>
/// </list>
/// </summary>
internal sealed class RecoveringOrchestrationService(AzureStorageOrchestrationService backend) : IOrchestrationService
{
    private const int PauseAfterFailureSeconds = 1;

    /// <summary>The backend's activity work items in flight, by message id: a private field, so the build that
    /// upgrades the package finds out at the first start (and in this class's tests) if it is gone.</summary>
    private const string ActiveActivitiesField = "activeActivitySessions";

    private readonly IDictionary _activeActivities = ActiveActivitiesOf(backend);

    /// <summary>How many activity work items the backend holds as in flight.</summary>
    internal int ActiveActivityCount => _activeActivities.Count;

    public int TaskOrchestrationDispatcherCount => backend.TaskOrchestrationDispatcherCount;

    public int MaxConcurrentTaskOrchestrationWorkItems => backend.MaxConcurrentTaskOrchestrationWorkItems;

    public BehaviorOnContinueAsNew EventBehaviourForContinueAsNew => backend.EventBehaviourForContinueAsNew;

    public int TaskActivityDispatcherCount => backend.TaskActivityDispatcherCount;

    public int MaxConcurrentTaskActivityWorkItems => backend.MaxConcurrentTaskActivityWorkItems;

    public int GetDelayInSecondsAfterOnProcessException(Exception exception) =>
        Math.Min(backend.GetDelayInSecondsAfterOnProcessException(exception), PauseAfterFailureSeconds);

    public int GetDelayInSecondsAfterOnFetchException(Exception exception) =>
        Math.Min(backend.GetDelayInSecondsAfterOnFetchException(exception), PauseAfterFailureSeconds);

    public Task StartAsync() => backend.StartAsync();

    public Task StopAsync() => backend.StopAsync();

    public Task StopAsync(bool isForced) => backend.StopAsync(isForced);

    public Task CreateAsync() => backend.CreateAsync();

    public Task CreateAsync(bool recreateInstanceStore) => backend.CreateAsync(recreateInstanceStore);

    public Task CreateIfNotExistsAsync() => backend.CreateIfNotExistsAsync();

    public Task DeleteAsync() => backend.DeleteAsync();

    public Task DeleteAsync(bool deleteInstanceStore) => backend.DeleteAsync(deleteInstanceStore);

    public bool IsMaxMessageCountExceeded(int currentMessageCount, OrchestrationRuntimeState runtimeState) =>
        backend.IsMaxMessageCountExceeded(currentMessageCount, runtimeState);

    public Task<TaskOrchestrationWorkItem> LockNextTaskOrchestrationWorkItemAsync(
        TimeSpan receiveTimeout,
        CancellationToken cancellationToken
    ) => backend.LockNextTaskOrchestrationWorkItemAsync(receiveTimeout, cancellationToken);

    public Task RenewTaskOrchestrationWorkItemLockAsync(TaskOrchestrationWorkItem workItem) =>
        backend.RenewTaskOrchestrationWorkItemLockAsync(workItem);

    public Task CompleteTaskOrchestrationWorkItemAsync(
        TaskOrchestrationWorkItem workItem,
        OrchestrationRuntimeState newOrchestrationRuntimeState,
        IList<TaskMessage> outboundMessages,
        IList<TaskMessage> orchestratorMessages,
        IList<TaskMessage> timerMessages,
        TaskMessage continuedAsNewMessage,
        OrchestrationState orchestrationState
    ) =>
        backend.CompleteTaskOrchestrationWorkItemAsync(
            workItem,
            newOrchestrationRuntimeState,
            outboundMessages,
            orchestratorMessages,
            timerMessages,
            continuedAsNewMessage,
            orchestrationState
        );

    public Task AbandonTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem) =>
        backend.AbandonTaskOrchestrationWorkItemAsync(workItem);

    public Task ReleaseTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem) =>
        backend.ReleaseTaskOrchestrationWorkItemAsync(workItem);

    public Task<TaskActivityWorkItem> LockNextTaskActivityWorkItem(
        TimeSpan receiveTimeout,
        CancellationToken cancellationToken
    ) => backend.LockNextTaskActivityWorkItem(receiveTimeout, cancellationToken);

    public Task<TaskActivityWorkItem> RenewTaskActivityWorkItemLockAsync(TaskActivityWorkItem workItem) =>
        backend.RenewTaskActivityWorkItemLockAsync(workItem);

    public Task CompleteTaskActivityWorkItemAsync(TaskActivityWorkItem workItem, TaskMessage responseMessage) =>
        backend.CompleteTaskActivityWorkItemAsync(workItem, responseMessage);

    public async Task AbandonTaskActivityWorkItemAsync(TaskActivityWorkItem workItem)
    {
        ArgumentNullException.ThrowIfNull(workItem);
        try
        {
            await backend.AbandonTaskActivityWorkItemAsync(workItem).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Still reported (the dispatcher logs it), but no longer held: its next delivery runs.
            _activeActivities.Remove(workItem.Id);
            throw;
        }
    }

    private static IDictionary ActiveActivitiesOf(AzureStorageOrchestrationService backend)
    {
        var version = typeof(AzureStorageOrchestrationService).Assembly.GetName().Version;
        return typeof(AzureStorageOrchestrationService)
                .GetField(ActiveActivitiesField, BindingFlags.Instance | BindingFlags.NonPublic)
                ?.GetValue(backend) as IDictionary
            ?? throw new InvalidOperationException(
                $"DurableTask.AzureStorage {version} has no dictionary '{ActiveActivitiesField}': an activity that "
                    + "failed to complete and to abandon could not be forgotten (RecoveringOrchestrationService)"
            );
    }
}
