using DurableTask.AzureStorage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.Application.Configuration;
using Pipeline.Storage;

namespace Pipeline.Durable;

/// <summary>
/// The task hub on the pipeline's storage account, through the Azure Storage backend of the Durable Task
/// Framework (the one Durable Functions uses): its instances and history tables, control and work-item
/// queues and lease blobs live beside the pipeline's own data. One instance per process, shared by the
/// worker and the client; created if missing when the host starts.
/// </summary>
public sealed class DurableEngine : IHostedService, IDisposable
{
    /// <summary>Creates the backend for the account; nothing is sent until the host starts.</summary>
    public DurableEngine(
        StorageAccount account,
        IOptions<DurableEngineOptions> options,
        IOptions<PipelineOptions> pipeline,
        ILoggerFactory loggerFactory
    )
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(pipeline);
        var settings = options.Value;
        TaskHub = settings.TaskHub + pipeline.Value.StoragePrefix;
        Service = new AzureStorageOrchestrationService(
            new AzureStorageOrchestrationServiceSettings
            {
                TaskHubName = TaskHub,
                StorageAccountClientProvider = ClientProvider(account.Connection),
                LoggerFactory = loggerFactory,

                // One process: one control queue, no app lease, and leases short enough that a restarted
                // process takes over within seconds of the old one's death.
                PartitionCount = 1,
                UseAppLease = false,
                UseTablePartitionManagement = true,

                // Two starts of one id at the same moment: the second is refused rather than both created.
                UseInstanceTableEtag = true,
                LeaseInterval = settings.LeaseInterval,
                LeaseRenewInterval = settings.LeaseInterval / 3,
                LeaseAcquireInterval = settings.LeaseInterval / 3,
                MaxQueuePollingInterval = settings.MaxPollingInterval,
                ControlQueueVisibilityTimeout = settings.VisibilityTimeout,
                WorkItemQueueVisibilityTimeout = settings.VisibilityTimeout,
                MaxConcurrentTaskActivityWorkItems = settings.ActivityConcurrency,

                // Without this, starting an id that is running silently replaces it.
                ThrowExceptionOnInvalidDedupeStatus = true,
            }
        );
    }

    /// <summary>The task hub's name.</summary>
    public string TaskHub { get; }

    /// <summary>The backend: the worker's orchestration service and the client's orchestration service
    /// client.</summary>
    public AzureStorageOrchestrationService Service { get; }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => Service.CreateIfNotExistsAsync();

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public void Dispose() => Service.Dispose();

    private static StorageAccountClientProvider ClientProvider(StorageConnection connection)
    {
        if (connection.ConnectionString is { } connectionString)
        {
            return new StorageAccountClientProvider(connectionString);
        }

        var queues =
            connection.QueueServiceUri
            ?? throw new InvalidOperationException(
                $"The Durable Task engine needs a Queue endpoint: set "
                    + $"'{StorageAccount.DefaultConnectionName}__queueServiceUri' (or '__accountName')."
            );
        return new StorageAccountClientProvider(
            connection.BlobServiceUri!,
            queues,
            connection.TableServiceUri!,
            connection.Credential!
        );
    }
}
