using System.Globalization;
using System.Xml.Linq;
using Azure;
using Azure.Core;
using Pipeline.Storage.Core;

namespace Pipeline.Storage.Blobs;

/// <summary>One blob container: create, delete, list by prefix. Immutable and thread-safe.</summary>
public sealed class BlobContainerClient
{
    private readonly BlobServiceClient _service;

    internal BlobContainerClient(BlobServiceClient service, string name)
    {
        BlobNames.ValidateContainer(name);
        _service = service;
        Name = name;
    }

    /// <summary>The container name.</summary>
    public string Name { get; }

    /// <summary>The container URI.</summary>
    public Uri Uri => new($"{_service.Uri}/{Name}");

    /// <summary>A client for one blob of this container.</summary>
    public BlobClient GetBlobClient(string blobName) => new(_service, this, blobName);

    /// <summary>Creates the container; 409 <c>ContainerAlreadyExists</c> when it exists.</summary>
    public async Task<Response> CreateAsync(CancellationToken cancellationToken = default)
    {
        using var message = BlobRequests.Create(_service, RequestMethod.Put, Name, ("restype", "container"));
        return await BlobRequests.SendAsync(_service, message, cancellationToken, 201).ConfigureAwait(false);
    }

    /// <summary>Creates the container unless it exists; returns whether it was created.</summary>
    public async Task<bool> CreateIfNotExistsAsync(CancellationToken cancellationToken = default)
    {
        using var message = BlobRequests.Create(_service, RequestMethod.Put, Name, ("restype", "container"));
        var response = await BlobRequests.SendAsync(_service, message, cancellationToken, 201, 409).ConfigureAwait(false);
        return response.Status == 201;
    }

    /// <summary>Deletes the container and its blobs; 404 when it does not exist.</summary>
    public async Task<Response> DeleteAsync(CancellationToken cancellationToken = default)
    {
        using var message = BlobRequests.Create(_service, RequestMethod.Delete, Name, ("restype", "container"));
        return await BlobRequests.SendAsync(_service, message, cancellationToken, 202).ConfigureAwait(false);
    }

    /// <summary>Whether the container exists.</summary>
    public async Task<bool> ExistsAsync(CancellationToken cancellationToken = default)
    {
        using var message = BlobRequests.Create(_service, RequestMethod.Head, Name, ("restype", "container"));
        var response = await BlobRequests.SendAsync(_service, message, cancellationToken, 200, 404).ConfigureAwait(false);
        return response.Status == 200;
    }

    /// <summary>
    /// Lists blobs whose names start with <paramref name="prefix"/>, in name order, a page per request
    /// (up to 5,000 per page, or the page size hint), following the service's continuation markers.
    /// </summary>
    public AsyncPageable<BlobItem> GetBlobsAsync(string? prefix = null, CancellationToken cancellationToken = default) =>
        new ContinuationPageable<BlobItem>((marker, pageSize, ct) => ListPageAsync(prefix, marker, pageSize, ct), cancellationToken);

    private async Task<Page<BlobItem>> ListPageAsync(string? prefix, string? marker, int? pageSize, CancellationToken cancellationToken)
    {
        using var message = BlobRequests.Create(
            _service, RequestMethod.Get, Name,
            ("restype", "container"), ("comp", "list"), ("prefix", prefix), ("marker", marker),
            ("maxresults", pageSize?.ToString(CultureInfo.InvariantCulture)));
        var response = await BlobRequests.SendAsync(_service, message, cancellationToken, 200).ConfigureAwait(false);
        var xml = await XDocument.LoadAsync(response.ContentStream!, LoadOptions.None, cancellationToken).ConfigureAwait(false);
        var root = xml.Root ?? throw new RequestFailedException(response.Status, "the blob listing has no root element");
        var items = root.Element("Blobs")?.Elements("Blob").Select(ToItem).ToList() ?? [];
        var next = root.Element("NextMarker")?.Value;
        return Page<BlobItem>.FromValues(items, string.IsNullOrEmpty(next) ? null : next, response);
    }

    private static BlobItem ToItem(XElement blob)
    {
        var properties = blob.Element("Properties");
        return new BlobItem(
            blob.Element("Name")?.Value ?? string.Empty,
            long.Parse(properties?.Element("Content-Length")?.Value ?? "0", CultureInfo.InvariantCulture),
            new ETag(properties?.Element("Etag")?.Value ?? string.Empty),
            DateTimeOffset.Parse(properties?.Element("Last-Modified")?.Value ?? "Thu, 01 Jan 1970 00:00:00 GMT", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal));
    }
}
