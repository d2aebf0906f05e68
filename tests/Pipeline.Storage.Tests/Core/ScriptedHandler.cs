using System.Collections.Concurrent;
using System.Net;

namespace Pipeline.Storage.Tests.Core;

/// <summary>
/// An in-process HTTP handler that records requests and answers with one status, used as the
/// clients' transport where a real server cannot be used (bearer tokens require https).
/// </summary>
internal sealed class ScriptedHandler(HttpStatusCode status) : HttpMessageHandler
{
    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var headers = request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        Requests.Enqueue(new RecordedRequest(request.Method.Method, request.RequestUri!.AbsolutePath, headers));
        var response = new HttpResponseMessage(status) { Content = new ByteArrayContent([]) };
        response.Headers.ETag = new System.Net.Http.Headers.EntityTagHeaderValue("\"0x1\"");
        response.Content.Headers.LastModified = DateTimeOffset.UtcNow;
        return Task.FromResult(response);
    }
}
