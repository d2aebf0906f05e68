using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Pipeline.Storage.Tests.Core;

/// <summary>
/// A loopback HTTP server that records each request's method, path and headers and answers with
/// scripted status codes, for testing what the clients send (auth headers, retries).
/// </summary>
internal sealed class RecordingServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Queue<int> _statuses;
    private readonly Task _loop;

    public RecordingServer(params int[] statuses)
    {
        _statuses = new Queue<int>(statuses);
        var port = FreePort();
        Uri = new Uri($"http://127.0.0.1:{port}/devstoreaccount1");
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public Uri Uri { get; }

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            await _loop;
        }
        catch (HttpListenerException)
        {
            // Stopping the listener ends the pending GetContextAsync.
        }
        catch (ObjectDisposedException)
        {
            // Same, on some runtimes.
        }
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            var context = await _listener.GetContextAsync();
            var headers = context.Request.Headers.AllKeys.OfType<string>().ToDictionary(k => k, k => context.Request.Headers[k] ?? string.Empty, StringComparer.OrdinalIgnoreCase);
            Requests.Enqueue(new RecordedRequest(context.Request.HttpMethod, context.Request.Url!.AbsolutePath, headers));
            int status;
            lock (_statuses)
            {
                status = _statuses.Count > 1 ? _statuses.Dequeue() : _statuses.Peek();
            }

            context.Response.StatusCode = status;
            context.Response.Headers["ETag"] = "\"0x1\"";
            context.Response.Headers["Last-Modified"] = "Sat, 21 Nov 2026 12:00:00 GMT";
            context.Response.Close();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

internal sealed record RecordedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers);
