using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;

namespace Pipeline.Storage;

/// <summary>
/// The Blob and Table service clients of one storage account, built the way Azure Functions reads a
/// connection named <c>AzureWebJobsStorage</c>: a connection string in the setting itself (including
/// <c>UseDevelopmentStorage=true</c>), or identity-based settings under it
/// (<c>AzureWebJobsStorage__blobServiceUri</c>, <c>__queueServiceUri</c>, <c>__tableServiceUri</c> or
/// <c>__accountName</c>, with <c>__credential</c> and <c>__clientId</c>). Every client gets
/// <see cref="StorageClientDefaults"/>.
/// </summary>
public sealed class StorageAccount
{
    /// <summary>The connection name Azure Functions uses for its own storage.</summary>
    public const string DefaultConnectionName = "AzureWebJobsStorage";

    private StorageAccount(StorageConnection connection, BlobServiceClient blobs, TableServiceClient tables)
    {
        Connection = connection;
        Blobs = blobs;
        Tables = tables;
    }

    /// <summary>How the account was reached (for other clients of the same account, such as the Durable Task
    /// backend's).</summary>
    public StorageConnection Connection { get; }

    /// <summary>The Blob service client.</summary>
    public BlobServiceClient Blobs { get; }

    /// <summary>The Table service client.</summary>
    public TableServiceClient Tables { get; }

    /// <summary>Connects with a connection string.</summary>
    /// <exception cref="InvalidOperationException">The connection string is malformed; the message says so without
    /// echoing its key.</exception>
    public static StorageAccount FromConnectionString(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        try
        {
            return new StorageAccount(
                new StorageConnection(connectionString, null, null, null, null),
                new BlobServiceClient(connectionString, StorageClientDefaults.Blobs()),
                new TableServiceClient(connectionString, StorageClientDefaults.Tables())
            );
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
        {
            throw new InvalidOperationException(
                $"The storage connection string is not valid ({ex.Message}); expected 'UseDevelopmentStorage=true' or "
                    + $"'DefaultEndpointsProtocol=...;AccountName=...;AccountKey=...'.",
                ex
            );
        }
    }

    /// <summary>
    /// Reads the connection from settings. <paramref name="setting"/> looks a setting up by its
    /// configuration key (<c>AzureWebJobsStorage:blobServiceUri</c>, which the environment spells
    /// <c>AzureWebJobsStorage__blobServiceUri</c>). <paramref name="credentialFactory"/> replaces the
    /// Azure.Identity credential (for tests).
    /// </summary>
    /// <exception cref="InvalidOperationException">Nothing usable is configured; the message names the
    /// settings.</exception>
    public static StorageAccount FromSettings(
        Func<string, string?> setting,
        string connectionName = DefaultConnectionName,
        Func<string?, string?, TokenCredential>? credentialFactory = null
    )
    {
        ArgumentNullException.ThrowIfNull(setting);
        var connectionString = setting(connectionName);
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            return FromConnectionString(connectionString);
        }

        var accountName = setting($"{connectionName}:accountName");
        var blobUri = ServiceUri(setting, connectionName, "blob", accountName);
        var queueUri = ServiceUri(setting, connectionName, "queue", accountName);
        var tableUri = ServiceUri(setting, connectionName, "table", accountName);
        if (blobUri is null || tableUri is null)
        {
            var missing = blobUri is null ? "blobServiceUri" : "tableServiceUri";
            throw new InvalidOperationException(
                $"Storage is not configured: set '{connectionName}' to a connection string, or "
                    + $"'{connectionName}__{missing}' "
                    + $"(with '{connectionName}__blobServiceUri', '__queueServiceUri' and '__tableServiceUri', or "
                    + $"'{connectionName}__accountName') for identity-based access."
            );
        }

        foreach (var uri in new[] { blobUri, queueUri, tableUri }.OfType<Uri>())
        {
            if (uri.Scheme != Uri.UriSchemeHttps)
            {
                throw new InvalidOperationException(
                    $"Identity-based storage access needs https endpoints; '{uri}' is not (use a connection string "
                        + $"for a local emulator)."
                );
            }
        }

        var credential = (credentialFactory ?? CreateCredential)(
            setting($"{connectionName}:credential"),
            setting($"{connectionName}:clientId")
        );
        return new StorageAccount(
            new StorageConnection(null, blobUri, queueUri, tableUri, credential),
            new BlobServiceClient(blobUri, credential, StorageClientDefaults.Blobs()),
            new TableServiceClient(tableUri, credential, StorageClientDefaults.Tables())
        );
    }

    /// <summary>
    /// <c>managedidentity</c> (system-assigned, or user-assigned with a client id) as in Azure Functions;
    /// otherwise <see cref="DefaultAzureCredential"/>, which also covers a developer's Azure CLI login.
    /// </summary>
    public static TokenCredential CreateCredential(string? kind, string? clientId)
    {
        if (string.Equals(kind, "managedidentity", StringComparison.OrdinalIgnoreCase))
        {
            return new ManagedIdentityCredential(
                string.IsNullOrEmpty(clientId)
                    ? ManagedIdentityId.SystemAssigned
                    : ManagedIdentityId.FromUserAssignedClientId(clientId)
            );
        }

        return new DefaultAzureCredential();
    }

    private static Uri? ServiceUri(
        Func<string, string?> setting,
        string connectionName,
        string service,
        string? accountName
    )
    {
        var configured = setting($"{connectionName}:{service}ServiceUri");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Uri.TryCreate(configured.Trim(), UriKind.Absolute, out var uri)
                ? uri
                : throw new InvalidOperationException(
                    $"'{connectionName}__{service}ServiceUri' is not an absolute URI: '{configured}'."
                );
        }

        return string.IsNullOrWhiteSpace(accountName)
            ? null
            : new Uri($"https://{accountName.Trim()}.{service}.core.windows.net");
    }
}

/// <summary>
/// How a storage account is reached: a connection string, or service endpoints with a credential.
/// Not a record, so that printing it never shows an account key.
/// </summary>
public sealed class StorageConnection(
    string? connectionString,
    Uri? blobServiceUri,
    Uri? queueServiceUri,
    Uri? tableServiceUri,
    TokenCredential? credential
)
{
    /// <summary>The connection string, when one is used.</summary>
    public string? ConnectionString { get; } = connectionString;

    /// <summary>The Blob endpoint of identity-based access.</summary>
    public Uri? BlobServiceUri { get; } = blobServiceUri;

    /// <summary>The Queue endpoint of identity-based access, when configured.</summary>
    public Uri? QueueServiceUri { get; } = queueServiceUri;

    /// <summary>The Table endpoint of identity-based access.</summary>
    public Uri? TableServiceUri { get; } = tableServiceUri;

    /// <summary>The credential of identity-based access.</summary>
    public TokenCredential? Credential { get; } = credential;
}
