using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Pipeline.Azurite;

namespace Pipeline.Storage.Tests;

/// <summary>The request count is process-wide, so these tests run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RequestCountingGroup
{
    public const string Name = "request counting";
}

[Collection(RequestCountingGroup.Name)]
public class RequestCountingTests
{
    private static string ConnectionTo(RecordingServer server) =>
        $"DefaultEndpointsProtocol=http;AccountName={AzuriteProcess.AccountName};AccountKey={AzuriteProcess.AccountKey};"
        + $"BlobEndpoint={server.Uri};TableEndpoint={server.Uri};";

    private static T FastRetries<T>(T options)
        where T : Azure.Core.ClientOptions
    {
        options.Retry.Delay = TimeSpan.FromMilliseconds(5);
        options.Retry.MaxDelay = TimeSpan.FromMilliseconds(20);
        return options;
    }

    [Fact]
    public async Task EveryAttempt_IsCounted_RetriesIncluded()
    {
        await using var server = new RecordingServer(503, 500, 201);
        var container = new BlobServiceClient(
            ConnectionTo(server),
            FastRetries(StorageClientDefaults.Blobs())
        ).GetBlobContainerClient("retried");
        var before = StorageMetrics.Requests;

        await container.CreateAsync();

        Assert.Equal(3, server.Requests.Count);
        Assert.Equal(3, StorageMetrics.Requests - before);
    }

    [Fact]
    public async Task BlobAndTableClients_GiveUpAfterTheSameNumberOfRetries()
    {
        await using var blobServer = new RecordingServer(503);
        await using var tableServer = new RecordingServer(503);
        var container = new BlobServiceClient(
            ConnectionTo(blobServer),
            FastRetries(StorageClientDefaults.Blobs())
        ).GetBlobContainerClient("failing");
        var table = new TableServiceClient(
            ConnectionTo(tableServer),
            FastRetries(StorageClientDefaults.Tables())
        ).GetTableClient("failing");

        var blobError = await Assert.ThrowsAsync<RequestFailedException>(() => container.CreateAsync());
        var tableError = await Assert.ThrowsAsync<RequestFailedException>(() =>
            table.UpsertEntityAsync(new TableEntity("p", "r"))
        );

        Assert.Equal(503, blobError.Status);
        Assert.Equal(503, tableError.Status);
        Assert.Equal(StorageClientDefaults.MaxRetries + 1, blobServer.Requests.Count);
        Assert.Equal(StorageClientDefaults.MaxRetries + 1, tableServer.Requests.Count);
    }

    [Fact]
    public async Task ClientErrors_AreNotRetried()
    {
        await using var server = new RecordingServer(403);
        var container = new BlobServiceClient(
            ConnectionTo(server),
            FastRetries(StorageClientDefaults.Blobs())
        ).GetBlobContainerClient("forbidden");

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => container.CreateAsync());

        Assert.Equal(403, error.Status);
        Assert.Single(server.Requests);
    }
}
