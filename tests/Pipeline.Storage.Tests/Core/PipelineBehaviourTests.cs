using Azure;
using Azure.Core;
using Pipeline.Storage.Blobs;
using Pipeline.Storage.Core;
using Pipeline.Storage.Tables;

namespace Pipeline.Storage.Tests.Core;

public class PipelineBehaviourTests
{
    private static readonly StorageSharedKeyCredential DevKey = new(StorageConnectionString.DevelopmentAccountName, StorageConnectionString.DevelopmentAccountKey);

    private static readonly Uri AzureBlobUri = new("https://acct.blob.core.windows.net");
    private static readonly Uri AzureTableUri = new("https://acct.table.core.windows.net");

    private static Azure.Core.Pipeline.HttpClientTransport Transport(ScriptedHandler handler) => new(new HttpClient(handler));

    private static BlobClientOptions FastRetries(int maxRetries = 3) => new()
    {
        Retry = { Delay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(20), MaxRetries = maxRetries },
    };

    [Fact]
    public async Task TransientFailures_AreRetried_EachAttemptSignedAfresh()
    {
        await using var server = new RecordingServer(503, 500, 201);
        var container = new BlobServiceClient(server.Uri, DevKey, FastRetries()).GetBlobContainerClient("retried");

        await container.CreateAsync();

        var attempts = server.Requests.ToArray();
        Assert.Equal(3, attempts.Length);
        Assert.All(attempts, a => Assert.StartsWith("SharedKey devstoreaccount1:", a.Headers["Authorization"], StringComparison.Ordinal));
        Assert.All(attempts, a => Assert.Equal("2025-01-05", a.Headers["x-ms-version"]));
    }

    [Fact]
    public async Task PersistentFailure_SurfacesAsRequestFailedExceptionWithStatus()
    {
        await using var server = new RecordingServer(503);
        var container = new BlobServiceClient(server.Uri, DevKey, FastRetries(maxRetries: 2)).GetBlobContainerClient("failing");

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => container.CreateAsync());

        Assert.Equal(503, error.Status);
        Assert.Equal(3, server.Requests.Count);
    }

    [Fact]
    public async Task ClientErrors_AreNotRetried()
    {
        await using var server = new RecordingServer(403);
        var container = new BlobServiceClient(server.Uri, DevKey, FastRetries()).GetBlobContainerClient("forbidden");

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => container.CreateAsync());

        Assert.Equal(403, error.Status);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task TokenCredential_SendsBearerTokenForTheStorageScope()
    {
        var server = new ScriptedHandler(System.Net.HttpStatusCode.NoContent);
        var credential = new FakeTokenCredential(TimeSpan.FromHours(1));
        var table = new TableServiceClient(AzureTableUri, credential, new TableClientOptions { Transport = Transport(server) }).GetTableClient("orders");

        await table.UpsertEntityAsync(new TableEntity("p", "r"));
        await table.UpsertEntityAsync(new TableEntity("p", "r"));

        Assert.All(server.Requests, r => Assert.Equal("Bearer token-1", r.Headers["Authorization"]));
        Assert.Equal(["https://storage.azure.com/.default"], credential.Scopes.Distinct());
        Assert.Equal(1, credential.Calls);
    }

    [Fact]
    public async Task TokenCredential_ExpiringToken_IsRefreshed()
    {
        var server = new ScriptedHandler(System.Net.HttpStatusCode.Created);
        // Tokens that expire at once: the policy must fetch a new one for the next request.
        var credential = new FakeTokenCredential(TimeSpan.Zero);
        var container = new BlobServiceClient(AzureBlobUri, credential, new BlobClientOptions { Transport = Transport(server) }).GetBlobContainerClient("refresh");

        await container.CreateAsync();
        await container.CreateAsync();

        Assert.Equal(["Bearer token-1", "Bearer token-2"], server.Requests.Select(r => r.Headers["Authorization"]));
    }

    [Fact]
    public void Settings_WithNothingConfigured_NameTheMissingSetting()
    {
        var error = Assert.Throws<InvalidOperationException>(() => StorageAccount.FromSettings(_ => null));

        Assert.Contains("'AzureWebJobsStorage'", error.Message, StringComparison.Ordinal);
        Assert.Contains("AzureWebJobsStorage__blobServiceUri", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_WithOnlyBlobUri_NameTheTableUri()
    {
        var settings = new Dictionary<string, string?> { ["AzureWebJobsStorage:blobServiceUri"] = "https://acct.blob.core.windows.net" };

        var error = Assert.Throws<InvalidOperationException>(() => StorageAccount.FromSettings(settings.GetValueOrDefault));

        Assert.Contains("AzureWebJobsStorage__tableServiceUri", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Settings_IdentityBased_UseServiceUrisAndTheManagedIdentityCredential()
    {
        var server = new ScriptedHandler(System.Net.HttpStatusCode.Created);
        var settings = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage:blobServiceUri"] = AzureBlobUri.ToString(),
            ["AzureWebJobsStorage:tableServiceUri"] = "https://acct.table.core.windows.net",
            ["AzureWebJobsStorage:credential"] = "managedidentity",
            ["AzureWebJobsStorage:clientId"] = "client-123",
        };
        var requested = new List<(string?, string?)>();

        var account = StorageAccount.FromSettings(settings.GetValueOrDefault, credentialFactory: (kind, clientId) =>
        {
            requested.Add((kind, clientId));
            return new FakeTokenCredential(TimeSpan.FromHours(1));
        }, blobOptions: new BlobClientOptions { Transport = Transport(server) });
        await account.Blobs.GetBlobContainerClient("raw").CreateAsync();

        Assert.Equal([("managedidentity", "client-123")], requested);
        Assert.Equal(new Uri("https://acct.table.core.windows.net"), account.Tables.Uri);
        Assert.Equal("Bearer token-1", Assert.Single(server.Requests).Headers["Authorization"]);
    }

    [Fact]
    public void Settings_ConnectionString_WinsAndDevelopmentStorageMeansAzurite()
    {
        var account = StorageAccount.FromSettings(name => name == "AzureWebJobsStorage" ? "UseDevelopmentStorage=true" : null);

        Assert.Equal(new Uri("http://127.0.0.1:10000/devstoreaccount1"), account.Blobs.Uri);
        Assert.Equal(new Uri("http://127.0.0.1:10002/devstoreaccount1"), account.Tables.Uri);
    }

    [Theory]
    [InlineData("AccountName=a", "AccountKey")]
    [InlineData("AccountKey=eA==", "AccountName")]
    [InlineData("garbage", "Name=Value")]
    public void ConnectionString_Malformed_SaysWhatIsMissing(string connectionString, string expected)
    {
        var error = Assert.Throws<FormatException>(() => StorageConnectionString.Parse(connectionString));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    private sealed class FakeTokenCredential(TimeSpan lifetime) : TokenCredential
    {
        private int _calls;

        public int Calls => _calls;

        public List<string> Scopes { get; } = [];

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            lock (Scopes)
            {
                Scopes.AddRange(requestContext.Scopes);
            }

            var call = Interlocked.Increment(ref _calls);
            return new AccessToken($"token-{call}", DateTimeOffset.UtcNow + lifetime);
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
