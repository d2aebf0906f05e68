using Azure;
using Azure.Core;

namespace Pipeline.Storage.Blobs;

/// <summary>One block blob: upload (optionally create-only), stream down, properties, delete. Immutable and thread-safe.</summary>
public sealed class BlobClient
{
    private readonly BlobServiceClient _service;
    private readonly string _path;

    internal BlobClient(BlobServiceClient service, BlobContainerClient container, string name)
    {
        BlobNames.ValidateBlob(name);
        _service = service;
        ContainerName = container.Name;
        Name = name;
        _path = $"{container.Name}/{BlobNames.EscapePath(name)}";
    }

    /// <summary>The container name.</summary>
    public string ContainerName { get; }

    /// <summary>The blob name.</summary>
    public string Name { get; }

    /// <summary>The blob URI.</summary>
    public Uri Uri => new($"{_service.Uri}/{_path}");

    /// <summary>
    /// Uploads content as a block blob in one request. With <see cref="BlobRequestConditions.IfAbsent"/>
    /// an existing blob is never overwritten: the service answers 409 <c>BlobAlreadyExists</c>.
    /// </summary>
    public Task<Response<BlobContentInfo>> UploadAsync(BinaryData content, BlobUploadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        return UploadAsync(RequestContent.Create(content), options, cancellationToken);
    }

    /// <summary>Uploads a seekable stream (seekable so that a retry can send it again); the stream stays the caller's, open.</summary>
    public Task<Response<BlobContentInfo>> UploadAsync(Stream content, BlobUploadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (!content.CanSeek)
        {
            throw new ArgumentException("the upload stream must be seekable so that retries can resend it", nameof(content));
        }

        return UploadAsync(RequestContent.Create(new CallerOwnedStream(content)), options, cancellationToken);
    }

    private async Task<Response<BlobContentInfo>> UploadAsync(RequestContent content, BlobUploadOptions? options, CancellationToken cancellationToken)
    {
        using var message = BlobRequests.Create(_service, RequestMethod.Put, _path);
        var request = message.Request;
        request.Headers.SetValue("x-ms-blob-type", "BlockBlob");
        if (options?.ContentType is { } contentType)
        {
            request.Headers.SetValue("x-ms-blob-content-type", contentType);
        }

        if (options?.ContentEncoding is { } contentEncoding)
        {
            request.Headers.SetValue("x-ms-blob-content-encoding", contentEncoding);
        }

        foreach (var (name, value) in options?.Metadata ?? new Dictionary<string, string>())
        {
            request.Headers.SetValue($"x-ms-meta-{name}", value);
        }

        BlobRequests.AddConditions(request, options?.Conditions);
        request.Content = content;
        var response = await BlobRequests.SendAsync(_service, message, cancellationToken, 201).ConfigureAwait(false);
        return Response.FromValue(new BlobContentInfo(BlobRequests.ETagOf(response), BlobRequests.LastModifiedOf(response)), response);
    }

    /// <summary>
    /// Opens the blob for reading. The content is not buffered: it streams from the service as it is
    /// read, so a large segment costs no more memory than the caller's read buffer.
    /// </summary>
    public async Task<Response<BlobDownloadStreamingResult>> DownloadStreamingAsync(BlobRequestConditions? conditions = null, CancellationToken cancellationToken = default)
    {
        using var message = BlobRequests.Create(_service, RequestMethod.Get, _path);
        message.BufferResponse = false;
        BlobRequests.AddConditions(message.Request, conditions);
        var response = await BlobRequests.SendAsync(_service, message, cancellationToken, 200).ConfigureAwait(false);
        var properties = BlobRequests.PropertiesOf(response);
        var content = message.ExtractResponseContent() ?? Stream.Null;
        return Response.FromValue(new BlobDownloadStreamingResult(content, properties), response);
    }

    /// <summary>Downloads the whole blob into memory (for small blobs).</summary>
    public async Task<Response<BinaryData>> DownloadContentAsync(CancellationToken cancellationToken = default)
    {
        using var message = BlobRequests.Create(_service, RequestMethod.Get, _path);
        var response = await BlobRequests.SendAsync(_service, message, cancellationToken, 200).ConfigureAwait(false);
        return Response.FromValue(response.Content, response);
    }

    /// <summary>The blob's properties and metadata; 404 <c>BlobNotFound</c> when absent.</summary>
    public async Task<Response<BlobProperties>> GetPropertiesAsync(BlobRequestConditions? conditions = null, CancellationToken cancellationToken = default)
    {
        using var message = BlobRequests.Create(_service, RequestMethod.Head, _path);
        BlobRequests.AddConditions(message.Request, conditions);
        var response = await BlobRequests.SendAsync(_service, message, cancellationToken, 200).ConfigureAwait(false);
        return Response.FromValue(BlobRequests.PropertiesOf(response), response);
    }

    /// <summary>Whether the blob exists.</summary>
    public async Task<bool> ExistsAsync(CancellationToken cancellationToken = default)
    {
        using var message = BlobRequests.Create(_service, RequestMethod.Head, _path);
        var response = await BlobRequests.SendAsync(_service, message, cancellationToken, 200, 404).ConfigureAwait(false);
        return response.Status == 200;
    }

    /// <summary>Deletes the blob, optionally only at a given ETag.</summary>
    public async Task<Response> DeleteAsync(BlobRequestConditions? conditions = null, CancellationToken cancellationToken = default)
    {
        using var message = BlobRequests.Create(_service, RequestMethod.Delete, _path);
        BlobRequests.AddConditions(message.Request, conditions);
        return await BlobRequests.SendAsync(_service, message, cancellationToken, 202).ConfigureAwait(false);
    }

    /// <summary>Deletes the blob if it exists; returns whether it did.</summary>
    public async Task<bool> DeleteIfExistsAsync(CancellationToken cancellationToken = default)
    {
        using var message = BlobRequests.Create(_service, RequestMethod.Delete, _path);
        var response = await BlobRequests.SendAsync(_service, message, cancellationToken, 202, 404).ConfigureAwait(false);
        return response.Status == 202;
    }
}
