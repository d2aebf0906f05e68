using Azure;
using Azure.Core;

namespace Pipeline.Storage.Blobs;

/// <summary>Options for the Blob clients.</summary>
public sealed class BlobClientOptions : ClientOptions
{
    /// <summary>The Blob REST API version sent as <c>x-ms-version</c>.</summary>
    public string Version { get; set; } = "2025-01-05";
}

/// <summary>Optimistic-concurrency conditions on a blob request.</summary>
public sealed class BlobRequestConditions
{
    /// <summary>Only act when the blob's ETag matches (<see cref="ETag.All"/>: when it exists).</summary>
    public ETag? IfMatch { get; init; }

    /// <summary>Only act when the blob's ETag differs (<see cref="ETag.All"/>: when it does not exist).</summary>
    public ETag? IfNoneMatch { get; init; }

    /// <summary>Create-only: succeed only when no blob exists under the name.</summary>
    public static BlobRequestConditions IfAbsent { get; } = new() { IfNoneMatch = ETag.All };
}

/// <summary>How to upload a blob.</summary>
public sealed class BlobUploadOptions
{
    /// <summary>The blob's content type.</summary>
    public string? ContentType { get; init; }

    /// <summary>The blob's content encoding, such as <c>gzip</c>; stored, not applied.</summary>
    public string? ContentEncoding { get; init; }

    /// <summary>User metadata (names must be C# identifiers).</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>Conditions, such as <see cref="BlobRequestConditions.IfAbsent"/>.</summary>
    public BlobRequestConditions? Conditions { get; init; }
}

/// <summary>The result of an upload.</summary>
/// <param name="ETag">The new blob's ETag.</param>
/// <param name="LastModified">When it was written.</param>
public sealed record BlobContentInfo(ETag ETag, DateTimeOffset LastModified);

/// <summary>A blob's system properties and metadata.</summary>
/// <param name="ContentLength">Size in bytes.</param>
/// <param name="ContentType">The content type.</param>
/// <param name="ContentEncoding">The content encoding.</param>
/// <param name="ETag">The ETag.</param>
/// <param name="LastModified">When it was last written.</param>
/// <param name="Metadata">User metadata.</param>
public sealed record BlobProperties(
    long ContentLength,
    string? ContentType,
    string? ContentEncoding,
    ETag ETag,
    DateTimeOffset LastModified,
    IReadOnlyDictionary<string, string> Metadata);

/// <summary>One blob of a listing.</summary>
/// <param name="Name">The blob name.</param>
/// <param name="ContentLength">Size in bytes.</param>
/// <param name="ETag">The ETag.</param>
/// <param name="LastModified">When it was last written.</param>
public sealed record BlobItem(string Name, long ContentLength, ETag ETag, DateTimeOffset LastModified);

/// <summary>A download whose content is read from the network as the caller reads it.</summary>
public sealed class BlobDownloadStreamingResult(Stream content, BlobProperties details) : IDisposable, IAsyncDisposable
{
    /// <summary>The content stream; dispose the result when done.</summary>
    public Stream Content { get; } = content;

    /// <summary>The blob's properties at download time.</summary>
    public BlobProperties Details { get; } = details;

    /// <inheritdoc />
    public void Dispose() => Content.Dispose();

    /// <inheritdoc />
    public ValueTask DisposeAsync() => Content.DisposeAsync();
}
