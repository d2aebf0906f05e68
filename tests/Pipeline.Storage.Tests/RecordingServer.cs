using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Pipeline.Storage.Tests;

/// <summary>
/// A loopback Kestrel server that records each request's method, path and headers and answers with
/// scripted status codes, for testing what the clients send over a real socket (auth headers,
/// retries). It binds port 0, so parallel tests never race for a port.
/// </summary>
internal sealed class RecordingServer : IAsyncDisposable
{
    private readonly Queue<int> _statuses;
    private readonly WebApplication _app;

    public RecordingServer(params int[] statuses)
    {
        _statuses = new Queue<int>(statuses);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.Run(Answer);
        _app.StartAsync().GetAwaiter().GetResult();
        var address = _app
            .Services.GetRequiredService<IServer>()
            .Features.Get<IServerAddressesFeature>()!
            .Addresses.Single();
        Uri = new Uri($"{address.TrimEnd('/')}/devstoreaccount1");
    }

    public Uri Uri { get; }

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private Task Answer(HttpContext context)
    {
        var headers = context.Request.Headers.ToDictionary(
            h => h.Key,
            h => h.Value.ToString(),
            StringComparer.OrdinalIgnoreCase
        );
        Requests.Enqueue(
            new RecordedRequest(context.Request.Method, context.Request.Path.Value ?? string.Empty, headers)
        );
        int status;
        lock (_statuses)
        {
            status = _statuses.Count > 1 ? _statuses.Dequeue() : _statuses.Peek();
        }

        context.Response.StatusCode = status;
        context.Response.Headers.ETag = "\"0x1\"";
        context.Response.Headers.LastModified = "Sat, 21 Nov 2026 12:00:00 GMT";
        return Task.CompletedTask;
    }
}

internal sealed record RecordedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers);
