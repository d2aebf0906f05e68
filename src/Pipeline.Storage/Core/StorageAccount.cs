using Azure.Core;
using Azure.Identity;
using Pipeline.Storage.Blobs;
using Pipeline.Storage.Tables;

namespace Pipeline.Storage.Core;

/// <summary>
/// The Blob and Table clients of one storage account, configured the way Azure Functions reads a
/// connection named <c>AzureWebJobsStorage</c>: either a connection string in the setting itself, or
/// identity-based settings under it (<c>AzureWebJobsStorage__blobServiceUri</c>,
/// <c>__tableServiceUri</c>, <c>__credential</c>, <c>__clientId</c>).
/// </summary>
public sealed class StorageAccount
{
    /// <summary>The connection name Azure Functions uses for its own storage.</summary>
    public const string DefaultConnectionName = "AzureWebJobsStorage";

    /// <summary>Wraps existing clients.</summary>
    public StorageAccount(BlobServiceClient blobs, TableServiceClient tables)
    {
        Blobs = blobs ?? throw new ArgumentNullException(nameof(blobs));
        Tables = tables ?? throw new ArgumentNullException(nameof(tables));
    }

    /// <summary>The Blob service client.</summary>
    public BlobServiceClient Blobs { get; }

    /// <summary>The Table service client.</summary>
    public TableServiceClient Tables { get; }

    /// <summary>Connects with a connection string.</summary>
    public static StorageAccount FromConnectionString(string connectionString, BlobClientOptions? blobOptions = null, TableClientOptions? tableOptions = null) =>
        new(new BlobServiceClient(connectionString, blobOptions), new TableServiceClient(connectionString, tableOptions));

    /// <summary>
    /// Reads the connection from settings. <paramref name="setting"/> looks a setting up by its
    /// configuration key (<c>AzureWebJobsStorage:blobServiceUri</c>, which the environment spells
    /// <c>AzureWebJobsStorage__blobServiceUri</c>). <paramref name="credentialFactory"/> replaces the
    /// Azure.Identity credential (for tests).
    /// </summary>
    /// <exception cref="InvalidOperationException">Nothing usable is configured; the message names the settings.</exception>
    public static StorageAccount FromSettings(
        Func<string, string?> setting,
        string connectionName = DefaultConnectionName,
        Func<string?, string?, TokenCredential>? credentialFactory = null,
        BlobClientOptions? blobOptions = null,
        TableClientOptions? tableOptions = null)
    {
        ArgumentNullException.ThrowIfNull(setting);
        var connectionString = setting(connectionName);
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            return FromConnectionString(connectionString, blobOptions, tableOptions);
        }

        var accountName = setting($"{connectionName}:accountName");
        var blobUri = setting($"{connectionName}:blobServiceUri") ?? (accountName is null ? null : $"https://{accountName}.blob.core.windows.net");
        var tableUri = setting($"{connectionName}:tableServiceUri") ?? (accountName is null ? null : $"https://{accountName}.table.core.windows.net");
        if (blobUri is null || tableUri is null)
        {
            var missing = blobUri is null ? "blobServiceUri" : "tableServiceUri";
            throw new InvalidOperationException(
                $"Storage is not configured: set '{connectionName}' to a connection string, or '{connectionName}__{missing}' " +
                $"(with '{connectionName}__blobServiceUri' and '{connectionName}__tableServiceUri', or '{connectionName}__accountName') for identity-based access.");
        }

        var credentialKind = setting($"{connectionName}:credential");
        var clientId = setting($"{connectionName}:clientId");
        var credential = (credentialFactory ?? CreateCredential)(credentialKind, clientId);
        return new StorageAccount(
            new BlobServiceClient(new Uri(blobUri), credential, blobOptions),
            new TableServiceClient(new Uri(tableUri), credential, tableOptions));
    }

    /// <summary>
    /// <c>managedidentity</c> (system-assigned, or user-assigned with a client id) as in Azure Functions;
    /// otherwise <see cref="DefaultAzureCredential"/>, which also covers a developer's Azure CLI login.
    /// </summary>
    public static TokenCredential CreateCredential(string? kind, string? clientId)
    {
        if (string.Equals(kind, "managedidentity", StringComparison.OrdinalIgnoreCase))
        {
            return new ManagedIdentityCredential(string.IsNullOrEmpty(clientId)
                ? ManagedIdentityId.SystemAssigned
                : ManagedIdentityId.FromUserAssignedClientId(clientId));
        }

        return new DefaultAzureCredential();
    }
}
