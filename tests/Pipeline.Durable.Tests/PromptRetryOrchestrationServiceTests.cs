using DurableTask.AzureStorage;

namespace Pipeline.Durable.Tests;

/// <summary>The worker's pause after a failed work item: one second, where the Azure Storage backend asks for
/// ten; the rest is the backend's.</summary>
public class PromptRetryOrchestrationServiceTests
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

        var worker = new PromptRetryOrchestrationService(backend);

        Assert.Equal(1, worker.GetDelayInSecondsAfterOnProcessException(failure));
        Assert.Equal(
            Math.Min(backend.GetDelayInSecondsAfterOnFetchException(failure), 1),
            worker.GetDelayInSecondsAfterOnFetchException(failure)
        );
        Assert.Equal(3, worker.MaxConcurrentTaskActivityWorkItems);
        Assert.Equal(backend.TaskOrchestrationDispatcherCount, worker.TaskOrchestrationDispatcherCount);
    }
}
