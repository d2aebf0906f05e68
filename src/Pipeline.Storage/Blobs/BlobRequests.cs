using System.Globalization;
using Azure;
using Azure.Core;
using Pipeline.Storage.Core;

namespace Pipeline.Storage.Blobs;

/// <summary>Request construction and response reading shared by the Blob clients.</summary>
internal static class BlobRequests
{
    public static HttpMessage Create(BlobServiceClient service, RequestMethod method, string path, params (string Name, string? Value)[] query)
    {
        var message = service.Pipeline.CreateMessage();
        var request = message.Request;
        request.Method = method;
        request.Uri.Reset(service.Uri);
        request.Uri.AppendPath("/" + path, escape: false);
        foreach (var (name, value) in query)
        {
            if (value is not null)
            {
                request.Uri.AppendQuery(name, value, escapeValue: true);
            }
        }

        request.Headers.SetValue("x-ms-version", service.Version);
        return message;
    }

    public static void AddConditions(Request request, BlobRequestConditions? conditions)
    {
        if (conditions?.IfMatch is { } ifMatch)
        {
            request.Headers.SetValue("If-Match", ifMatch.ToString());
        }

        if (conditions?.IfNoneMatch is { } ifNoneMatch)
        {
            request.Headers.SetValue("If-None-Match", ifNoneMatch.ToString());
        }
    }

    public static async Task<Response> SendAsync(BlobServiceClient service, HttpMessage message, CancellationToken cancellationToken, params int[] expected)
    {
        await service.Pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        return expected.Contains(response.Status) ? response : throw StorageErrorParser.Failure(response);
    }

    public static ETag ETagOf(Response response) =>
        response.Headers.ETag ?? throw new RequestFailedException(response.Status, "the service sent no ETag");

    public static DateTimeOffset LastModifiedOf(Response response) =>
        response.Headers.TryGetValue("Last-Modified", out var value)
            ? DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)
            : default;

    public static BlobProperties PropertiesOf(Response response)
    {
        var metadata = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in response.Headers)
        {
            if (header.Name.StartsWith("x-ms-meta-", StringComparison.OrdinalIgnoreCase))
            {
                metadata[header.Name["x-ms-meta-".Length..]] = header.Value;
            }
        }

        response.Headers.TryGetValue("Content-Type", out var contentType);
        response.Headers.TryGetValue("Content-Encoding", out var contentEncoding);
        return new BlobProperties(
            response.Headers.ContentLength ?? 0, contentType, contentEncoding, ETagOf(response), LastModifiedOf(response), metadata);
    }
}
