using Azure.Core;
using Pipeline.Azurite;

namespace Pipeline.Storage.Tests;

public class StorageAccountTests
{
    private static Func<string, string?> Settings(params (string Key, string Value)[] values)
    {
        var map = values.ToDictionary(v => v.Key, v => v.Value, StringComparer.OrdinalIgnoreCase);
        return key => map.GetValueOrDefault(key);
    }

    [Fact]
    public void ConnectionString_ReachesItsBlobAndTableEndpoints()
    {
        var connection =
            $"DefaultEndpointsProtocol=http;AccountName={AzuriteProcess.AccountName};AccountKey={AzuriteProcess.AccountKey};"
            + $"BlobEndpoint=http://127.0.0.1:41000/{AzuriteProcess.AccountName};TableEndpoint=http://127.0.0.1:41002/{AzuriteProcess.AccountName};";

        var account = StorageAccount.FromSettings(Settings(("AzureWebJobsStorage", connection)));

        Assert.Equal(new Uri("http://127.0.0.1:41000/devstoreaccount1"), account.Blobs.Uri);
        Assert.Equal(
            new Uri("http://127.0.0.1:41002/devstoreaccount1/"),
            new Uri(account.Tables.Uri.ToString().TrimEnd('/') + "/")
        );
        Assert.Equal(connection, account.Connection.ConnectionString);
        Assert.Null(account.Connection.Credential);
    }

    [Fact]
    public void UseDevelopmentStorage_MeansAzuriteOnItsDefaultPorts()
    {
        var account = StorageAccount.FromSettings(Settings(("AzureWebJobsStorage", "UseDevelopmentStorage=true")));

        Assert.Equal(10000, account.Blobs.Uri.Port);
        Assert.Equal(10002, account.Tables.Uri.Port);
        Assert.Equal("devstoreaccount1", account.Blobs.AccountName);
    }

    [Fact]
    public void IdentityBasedSettings_UseTheirEndpointsAndTheConfiguredCredential()
    {
        var asked = new List<(string? Kind, string? ClientId)>();
        var credential = new StaticTokenCredential();

        var account = StorageAccount.FromSettings(
            Settings(
                ("AzureWebJobsStorage:blobServiceUri", "https://acct.blob.core.windows.net"),
                ("AzureWebJobsStorage:queueServiceUri", "https://acct.queue.core.windows.net"),
                ("AzureWebJobsStorage:tableServiceUri", "https://acct.table.core.windows.net"),
                ("AzureWebJobsStorage:credential", "managedidentity"),
                ("AzureWebJobsStorage:clientId", "00000000-0000-0000-0000-000000000001")
            ),
            credentialFactory: (kind, clientId) =>
            {
                asked.Add((kind, clientId));
                return credential;
            }
        );

        Assert.Equal([("managedidentity", "00000000-0000-0000-0000-000000000001")], asked);
        Assert.Same(credential, account.Connection.Credential);
        Assert.Equal("acct.blob.core.windows.net", account.Blobs.Uri.Host);
        Assert.Equal("acct.table.core.windows.net", account.Tables.Uri.Host);
        Assert.Equal(new Uri("https://acct.queue.core.windows.net"), account.Connection.QueueServiceUri);
        Assert.Null(account.Connection.ConnectionString);
    }

    [Fact]
    public void AccountName_GivesTheStandardEndpointsOfEveryService()
    {
        var account = StorageAccount.FromSettings(
            Settings(("AzureWebJobsStorage:accountName", "pipelinedata")),
            credentialFactory: (_, _) => new StaticTokenCredential()
        );

        Assert.Equal(new Uri("https://pipelinedata.blob.core.windows.net"), account.Connection.BlobServiceUri);
        Assert.Equal(new Uri("https://pipelinedata.queue.core.windows.net"), account.Connection.QueueServiceUri);
        Assert.Equal(new Uri("https://pipelinedata.table.core.windows.net"), account.Connection.TableServiceUri);
    }

    [Fact]
    public void NothingConfigured_FailsNamingTheSettings()
    {
        var error = Assert.Throws<InvalidOperationException>(() => StorageAccount.FromSettings(Settings()));

        Assert.Contains("'AzureWebJobsStorage'", error.Message, StringComparison.Ordinal);
        Assert.Contains("AzureWebJobsStorage__blobServiceUri", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void IdentityOverHttp_FailsWithAClearMessage()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            StorageAccount.FromSettings(
                Settings(
                    ("AzureWebJobsStorage:blobServiceUri", "http://127.0.0.1:10000/a"),
                    ("AzureWebJobsStorage:tableServiceUri", "https://a.table.core.windows.net")
                ),
                credentialFactory: (_, _) => new StaticTokenCredential()
            )
        );

        Assert.Contains("https", error.Message, StringComparison.Ordinal);
        Assert.Contains("http://127.0.0.1:10000/a", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MalformedConnectionString_FailsWithoutEchoingTheKey()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            StorageAccount.FromSettings(Settings(("AzureWebJobsStorage", "AccountKey=c2VjcmV0;nonsense")))
        );

        Assert.Contains("connection string is not valid", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("c2VjcmV0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BlobAndTableClients_RetryAlikeWithAnExplicitTimeout()
    {
        var blobs = StorageClientDefaults.Blobs();
        var tables = StorageClientDefaults.Tables();

        Assert.Equal(StorageClientDefaults.MaxRetries, blobs.Retry.MaxRetries);
        Assert.Equal(StorageClientDefaults.MaxRetries, tables.Retry.MaxRetries);
        Assert.Equal(StorageClientDefaults.NetworkTimeout, blobs.Retry.NetworkTimeout);
        Assert.Equal(StorageClientDefaults.NetworkTimeout, tables.Retry.NetworkTimeout);
        Assert.Equal(RetryMode.Exponential, tables.Retry.Mode);
    }

    private sealed class StaticTokenCredential : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            new("token", DateTimeOffset.UtcNow.AddHours(1));

        public override ValueTask<AccessToken> GetTokenAsync(
            TokenRequestContext requestContext,
            CancellationToken cancellationToken
        ) => ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
