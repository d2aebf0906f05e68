using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Pipeline.Application.Configuration;
using Pipeline.Storage;
using Pipeline.Storage.Tables;

namespace Pipeline.Application.Storage;

/// <summary>
/// The pipeline's containers and tables, named with the configured prefix:
/// the raw log (<c>raw</c>), quarantined events (<c>quarantine</c>), speed views (<c>speed</c>),
/// per-partition progress (<c>progress</c>) and orchestration instances (<c>operations</c>).
/// </summary>
public sealed class PipelineStore
{
    /// <summary>Creates the clients; nothing is sent until <see cref="EnsureCreatedAsync"/>.</summary>
    public PipelineStore(StorageAccount account, PipelineOptions options)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(options);
        var prefix = options.StoragePrefix;
        Raw = account.Blobs.GetBlobContainerClient(ContainerName(prefix, "raw"));
        Quarantine = account.Blobs.GetBlobContainerClient(ContainerName(prefix, "quarantine"));
        Speed = account.Tables.GetTableClient($"{prefix}speed");
        Progress = account.Tables.GetTableClient($"{prefix}progress");
        Operations = account.Tables.GetTableClient($"{prefix}operations");
        Batch = account.Tables.GetTableClient($"{prefix}batch");
        Pointers = account.Tables.GetTableClient($"{prefix}pointers");
        Work = account.Blobs.GetBlobContainerClient(ContainerName(prefix, "batch-work"));
    }

    /// <summary>The raw event log: gzip NDJSON segments, created once and never rewritten.</summary>
    public BlobContainerClient Raw { get; }

    /// <summary>Events that could not be accepted, one blob each, with their reason.</summary>
    public BlobContainerClient Quarantine { get; }

    /// <summary>Speed-layer partials per view version, key, epoch and partition.</summary>
    public TableClient Speed { get; }

    /// <summary>Per-partition progress: last sequence number applied and the enqueued-time watermark.</summary>
    public TableClient Progress { get; }

    /// <summary>Orchestration instances: status and every completed activity call, per instance.</summary>
    public TableClient Operations { get; }

    /// <summary>Batch views: one set of rows per view version and cutoff.</summary>
    public TableClient Batch { get; }

    /// <summary>Per view version, the committed batch view (cutoff, coverage, counts).</summary>
    public TableClient Pointers { get; }

    /// <summary>Intermediate results of batch runs (partials per partition).</summary>
    public BlobContainerClient Work { get; }

    /// <summary>Creates every container and table that does not exist yet.</summary>
    public async Task EnsureCreatedAsync(CancellationToken cancellationToken = default)
    {
        await Task.WhenAll(
                Raw.CreateIfNotExistsAsync(cancellationToken: cancellationToken),
                Quarantine.CreateIfNotExistsAsync(cancellationToken: cancellationToken),
                Speed.CreateIfNotExistsAsync(cancellationToken),
                Progress.CreateIfNotExistsAsync(cancellationToken),
                Operations.CreateIfNotExistsAsync(cancellationToken),
                Batch.CreateIfNotExistsAsync(cancellationToken),
                Pointers.CreateIfNotExistsAsync(cancellationToken),
                Work.CreateIfNotExistsAsync(cancellationToken: cancellationToken)
            )
            .ConfigureAwait(false);
    }

    private static string ContainerName(string prefix, string name) => prefix.Length == 0 ? name : $"{prefix}-{name}";
}
