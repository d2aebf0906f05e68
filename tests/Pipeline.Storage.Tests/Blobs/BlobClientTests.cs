using Pipeline.Testing;
using System.Text;
using Azure;
using Pipeline.Storage.Blobs;

namespace Pipeline.Storage.Tests.Blobs;

[Collection(UsesAzurite.Name)]
public class BlobClientTests(AzuriteFixture azurite)
{
    private async Task<BlobContainerClient> NewContainerAsync()
    {
        var container = azurite.Account.Blobs.GetBlobContainerClient(AzuriteFixture.NewContainerName("blob"));
        await container.CreateAsync();
        return container;
    }

    [Fact]
    public async Task CreateContainer_Twice_Is409ContainerAlreadyExists()
    {
        var container = await NewContainerAsync();

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => container.CreateAsync());

        Assert.Equal(409, error.Status);
        Assert.Equal("ContainerAlreadyExists", error.ErrorCode);
        Assert.False(await container.CreateIfNotExistsAsync());
        Assert.True(await container.ExistsAsync());
    }

    [Fact]
    public async Task UploadIfAbsent_OverExistingBlob_Is409AndKeepsTheOriginal()
    {
        var blob = (await NewContainerAsync()).GetBlobClient("raw/epoch=1/p0-1-9.ndjson.gz");
        await blob.UploadAsync(BinaryData.FromString("first"), new BlobUploadOptions { Conditions = BlobRequestConditions.IfAbsent });

        var error = await Assert.ThrowsAsync<RequestFailedException>(() =>
            blob.UploadAsync(BinaryData.FromString("second"), new BlobUploadOptions { Conditions = BlobRequestConditions.IfAbsent }));

        Assert.Equal(409, error.Status);
        Assert.Equal("BlobAlreadyExists", error.ErrorCode);
        Assert.Equal("first", (await blob.DownloadContentAsync()).Value.ToString());
    }

    [Fact]
    public async Task DownloadStreaming_ReturnsTheContentAsANetworkStream()
    {
        var blob = (await NewContainerAsync()).GetBlobClient("big.bin");
        var content = new byte[6 * 1024 * 1024 + 17];
        new Random(7).NextBytes(content);
        using var source = new MemoryStream(content);
        await blob.UploadAsync(source);
        Assert.True(source.CanRead, "the caller's stream must stay open");

        await using var download = (await blob.DownloadStreamingAsync()).Value;
        using var copy = new MemoryStream();
        await download.Content.CopyToAsync(copy);

        Assert.IsNotType<MemoryStream>(download.Content);
        Assert.Equal(content.Length, download.Details.ContentLength);
        Assert.Equal(content, copy.ToArray());
    }

    [Fact]
    public async Task GetProperties_ReturnsTypeEncodingAndMetadata()
    {
        var blob = (await NewContainerAsync()).GetBlobClient("segment.ndjson.gz");
        var uploaded = await blob.UploadAsync(BinaryData.FromBytes([1, 2, 3]), new BlobUploadOptions
        {
            ContentType = "application/x-ndjson",
            ContentEncoding = "gzip",
            Metadata = new Dictionary<string, string> { ["events"] = "3", ["firstsequence"] = "10" },
        });

        var properties = (await blob.GetPropertiesAsync()).Value;

        Assert.Equal(3, properties.ContentLength);
        Assert.Equal("application/x-ndjson", properties.ContentType);
        Assert.Equal("gzip", properties.ContentEncoding);
        Assert.Equal("3", properties.Metadata["events"]);
        Assert.Equal(uploaded.Value.ETag, properties.ETag);
    }

    [Fact]
    public async Task EtagConditions_StaleETag_Is412AndChangesNothing()
    {
        var blob = (await NewContainerAsync()).GetBlobClient("pointer.json");
        var first = (await blob.UploadAsync(BinaryData.FromString("v1"))).Value.ETag;
        var second = (await blob.UploadAsync(BinaryData.FromString("v2"), new BlobUploadOptions { Conditions = new() { IfMatch = first } })).Value.ETag;

        var staleWrite = await Assert.ThrowsAsync<RequestFailedException>(() =>
            blob.UploadAsync(BinaryData.FromString("v3"), new BlobUploadOptions { Conditions = new() { IfMatch = first } }));
        var staleDelete = await Assert.ThrowsAsync<RequestFailedException>(() => blob.DeleteAsync(new() { IfMatch = first }));

        Assert.Equal(412, staleWrite.Status);
        Assert.Equal("ConditionNotMet", staleWrite.ErrorCode);
        Assert.Equal(412, staleDelete.Status);
        Assert.NotEqual(first, second);
        Assert.Equal("v2", (await blob.DownloadContentAsync()).Value.ToString());
    }

    [Fact]
    public async Task GetBlobs_FollowsContinuationAcrossPages_AndHonoursThePrefix()
    {
        var container = await NewContainerAsync();
        for (var i = 0; i < 23; i++)
        {
            await container.GetBlobClient($"raw/{i:D3}.gz").UploadAsync(BinaryData.FromString($"{i}"));
        }

        await container.GetBlobClient("quarantine/x.json").UploadAsync(BinaryData.FromString("x"));

        var pages = new List<int>();
        var names = new List<string>();
        await foreach (var page in container.GetBlobsAsync("raw/").AsPages(pageSizeHint: 5))
        {
            pages.Add(page.Values.Count);
            names.AddRange(page.Values.Select(b => b.Name));
        }

        Assert.Equal([5, 5, 5, 5, 3], pages);
        Assert.Equal(Enumerable.Range(0, 23).Select(i => $"raw/{i:D3}.gz"), names);
        Assert.Equal(24, await container.GetBlobsAsync().CountAsync());
    }

    [Fact]
    public async Task Delete_RemovesTheBlob_AndMissingBlobIs404()
    {
        var blob = (await NewContainerAsync()).GetBlobClient("gone.txt");
        await blob.UploadAsync(BinaryData.FromString("x"));

        await blob.DeleteAsync();

        Assert.False(await blob.ExistsAsync());
        Assert.False(await blob.DeleteIfExistsAsync());
        var error = await Assert.ThrowsAsync<RequestFailedException>(() => blob.GetPropertiesAsync());
        Assert.Equal(404, error.Status);
        Assert.Equal("BlobNotFound", error.ErrorCode);
    }

    [Fact]
    public async Task UnicodeBlobNames_RoundTrip()
    {
        var container = await NewContainerAsync();
        var blob = container.GetBlobClient("quarantine/café ü/日本 #1?.json");
        await blob.UploadAsync(BinaryData.FromString("ok"));

        var listed = await container.GetBlobsAsync("quarantine/").Select(b => b.Name).ToListAsync();

        Assert.Equal(["quarantine/café ü/日本 #1?.json"], listed);
        Assert.Equal("ok", Encoding.UTF8.GetString((await blob.DownloadContentAsync()).Value.ToArray()));
    }

    [Fact]
    public async Task DeleteContainer_RemovesIt()
    {
        var container = await NewContainerAsync();

        await container.DeleteAsync();

        Assert.False(await container.ExistsAsync());
    }

    [Theory]
    [InlineData("UPPER")]
    [InlineData("ab")]
    [InlineData("double--dash")]
    [InlineData("-leading")]
    public void InvalidContainerName_IsRefusedBeforeAnyRequest(string name)
    {
        Assert.Throws<ArgumentException>(() => azurite.Account.Blobs.GetBlobContainerClient(name));
    }

    [Theory]
    [InlineData("ends-with-slash/")]
    [InlineData("ends-with-dot.")]
    [InlineData("control\u0001char")]
    public void InvalidBlobName_IsRefusedBeforeAnyRequest(string name)
    {
        Assert.Throws<ArgumentException>(() => azurite.Account.Blobs.GetBlobContainerClient("valid-name").GetBlobClient(name));
    }
}
