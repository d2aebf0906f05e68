using Azure.Core;
using Azure.Core.Pipeline;
using Pipeline.Storage.Core;

namespace Pipeline.Storage.Tables;

/// <summary>The entry point to a storage account's Table service. Immutable and thread-safe.</summary>
public sealed class TableServiceClient
{
    /// <summary>Connects with an account key.</summary>
    public TableServiceClient(Uri serviceUri, StorageSharedKeyCredential credential, TableClientOptions? options = null)
        : this(serviceUri, new TableSharedKeyPolicy(credential ?? throw new ArgumentNullException(nameof(credential))), options)
    {
    }

    /// <summary>Connects with Microsoft Entra ID (managed identity, Azure CLI and so on).</summary>
    public TableServiceClient(Uri serviceUri, TokenCredential credential, TableClientOptions? options = null)
        : this(serviceUri, StoragePipeline.Bearer(credential ?? throw new ArgumentNullException(nameof(credential))), options)
    {
    }

    /// <summary>Connects with a connection string (including <c>UseDevelopmentStorage=true</c>).</summary>
    public TableServiceClient(string connectionString, TableClientOptions? options = null)
        : this(StorageConnectionString.Parse(connectionString), options)
    {
    }

    private TableServiceClient(StorageConnectionString connection, TableClientOptions? options)
        : this(connection.TableEndpoint, connection.Credential, options)
    {
    }

    private TableServiceClient(Uri serviceUri, HttpPipelinePolicy authentication, TableClientOptions? options)
    {
        ArgumentNullException.ThrowIfNull(serviceUri);
        options ??= new TableClientOptions();
        Uri = new Uri(serviceUri.ToString().TrimEnd('/'));
        Pipeline = StoragePipeline.Build(options, authentication);
        Version = options.Version;
    }

    /// <summary>The service endpoint.</summary>
    public Uri Uri { get; }

    internal HttpPipeline Pipeline { get; }

    internal string Version { get; }

    /// <summary>A client for one table.</summary>
    public TableClient GetTableClient(string tableName) => new(this, tableName);

    internal HttpMessage CreateMessage(RequestMethod method, string path)
    {
        var message = Pipeline.CreateMessage();
        var request = message.Request;
        request.Method = method;
        request.Uri.Reset(Uri);
        request.Uri.AppendPath("/" + path, escape: false);
        request.Headers.SetValue("x-ms-version", Version);
        request.Headers.SetValue("DataServiceVersion", "3.0");
        request.Headers.SetValue("Accept", "application/json;odata=minimalmetadata");
        return message;
    }

    internal async Task<Azure.Response> SendAsync(HttpMessage message, CancellationToken cancellationToken, params int[] expected)
    {
        await Pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        return expected.Contains(response.Status) ? response : throw StorageErrorParser.Failure(response);
    }
}
