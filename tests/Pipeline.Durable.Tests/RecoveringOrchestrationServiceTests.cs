using Azure.Storage.Queues;
using DurableTask.AzureStorage;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Pipeline.Testing;

namespace Pipeline.Durable.Tests;

/// <summary>The worker's view of the backend: a one-second pause after a failed work item, where the Azure Storage
/// backend asks for ten; and an activity whose completion and abandon both failed runs again instead of never.</summary>
[Collection(UsesAzurite.Name)]
public class RecoveringOrchestrationServiceTests(AzuriteFixture azurite)
{
    private static AzureStorageOrchestrationService Backend() =>
        new(
            new AzureStorageOrchestrationServiceSettings
            {
                TaskHubName = "promptretry",
                StorageAccountClientProvider = new StorageAccountClientProvider("UseDevelopmentStorage=true"),
                MaxConcurrentTaskActivityWorkItems = 3,
            }
        );

    [Fact]
    public void AStorageFailure_PausesTheDispatcherOneSecond_WhereTheBackendAsksForMore()
    {
        using var backend = Backend();
        var failure = new InvalidOperationException("storage answered 503");
        Assert.True(backend.GetDelayInSecondsAfterOnProcessException(failure) > 1);

        var worker = new RecoveringOrchestrationService(backend);

        Assert.Equal(1, worker.GetDelayInSecondsAfterOnProcessException(failure));
        Assert.Equal(
            Math.Min(backend.GetDelayInSecondsAfterOnFetchException(failure), 1),
            worker.GetDelayInSecondsAfterOnFetchException(failure)
        );
        Assert.Equal(3, worker.MaxConcurrentTaskActivityWorkItems);
        Assert.Equal(backend.TaskOrchestrationDispatcherCount, worker.TaskOrchestrationDispatcherCount);
        Assert.Equal(0, worker.ActiveActivityCount); // the backend's private bookkeeping is found
    }

    [Fact]
    public async Task AnActivityWhoseCompletionAndAbandonBothFail_RunsAgain_InsteadOfBeingRefusedForEver()
    {
        // While the activity runs, its queue message is taken by another reader (renewals fail for seconds, so its
        // lock lapses): the pop receipt the worker holds goes stale, so deleting the message when the activity
        // completes fails, and so does abandoning it. The backend then refused every later delivery of that message
        // for the life of the process; forgotten instead, it runs again and is deleted.
        await using var queues = StorageRelay.Start(azurite.Emulator!.QueuePort);
        var prefix = EngineHost.NewPrefix();
        var runs = 0;
        var firstRunStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var messageTaken = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await EngineHost.StartAsync(
            azurite.ConnectionThrough(queuePort: queues.Port),
            prefix,
            tasks =>
                tasks
                    .AddOrchestratorFunc<int, int>(
                        "loses-its-message",
                        async (context, input) => await context.CallActivityAsync<int>("loses-its-message", input)
                    )
                    .AddActivityFunc<int, int>(
                        "loses-its-message",
                        async (_, input) =>
                        {
                            if (Interlocked.Increment(ref runs) == 1)
                            {
                                firstRunStarted.SetResult();
                                await messageTaken.Task;
                            }

                            return input * 2;
                        }
                    )
        );
        var workItems = new QueueClient(azurite.ConnectionString, $"pipelinehub{prefix}-workitems".ToLowerInvariant());

        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync("loses-its-message", 21);
        await firstRunStarted.Task.WaitAsync(TimeSpan.FromSeconds(30));
        queues.Set(RelayMode.Unavailable); // the worker's renewals fail; the test reads Azurite directly
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await workItems.ReceiveMessageAsync(TimeSpan.FromSeconds(1))).Value is null)
        {
            Assert.True(DateTime.UtcNow < deadline, "the activity's message never became visible");
            await Task.Delay(100);
        }

        queues.Set(RelayMode.Pass);
        messageTaken.SetResult();
        var done = await host.WaitAsync(id, TimeSpan.FromSeconds(60));
        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal(42, done.ReadOutputAs<int>());

        deadline = DateTime.UtcNow.AddSeconds(60);
        while (Volatile.Read(ref runs) < 2 || (await workItems.PeekMessageAsync()).Value is not null)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{runs} run(s), and the message is still queued");
            await Task.Delay(100);
        }
    }
}
