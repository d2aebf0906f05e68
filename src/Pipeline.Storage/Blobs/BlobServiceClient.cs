using Azure.Core;
using Azure.Core.Pipeline;
using Pipeline.Storage.Core;

namespace Pipeline.Storage.Blobs;

/// <summary>The entry point to a storage account's Blob service. Immutable and thread-safe.</summary>
public sealed class BlobServiceClient
{
    /// <summary>Connects with an account key.</summary>
    public BlobServiceClient(Uri serviceUri, StorageSharedKeyCredential credential, BlobClientOptions? options = null)
        : this(serviceUri, new BlobSharedKeyPolicy(credential ?? throw new ArgumentNullException(nameof(credential))), options)
    {
    }

    /// <summary>Connects with Microsoft Entra ID (managed identity, Azure CLI and so on).</summary>
    public BlobServiceClient(Uri serviceUri, TokenCredential credential, BlobClientOptions? options = null)
        : this(serviceUri, StoragePipeline.Bearer(credential ?? throw new ArgumentNullException(nameof(credential))), options)
    {
    }

    /// <summary>Connects with a connection string (including <c>UseDevelopmentStorage=true</c>).</summary>
    public BlobServiceClient(string connectionString, BlobClientOptions? options = null)
        : this(StorageConnectionString.Parse(connectionString), options)
    {
    }

    private BlobServiceClient(StorageConnectionString connection, BlobClientOptions? options)
        : this(connection.BlobEndpoint, connection.Credential, options)
    {
    }

    private BlobServiceClient(Uri serviceUri, HttpPipelinePolicy authentication, BlobClientOptions? options)
    {
        ArgumentNullException.ThrowIfNull(serviceUri);
        options ??= new BlobClientOptions();
        Uri = new Uri(serviceUri.ToString().TrimEnd('/'));
        Pipeline = StoragePipeline.Build(options, authentication);
        Version = options.Version;
    }

    /// <summary>The service endpoint.</summary>
    public Uri Uri { get; }

    internal HttpPipeline Pipeline { get; }

    internal string Version { get; }

    /// <summary>A client for one container.</summary>
    public BlobContainerClient GetBlobContainerClient(string containerName) => new(this, containerName);
}
