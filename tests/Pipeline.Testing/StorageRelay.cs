using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Pipeline.Testing;

/// <summary>How a <see cref="StorageRelay"/> treats requests.</summary>
public enum RelayMode
{
    /// <summary>Passes every byte both ways.</summary>
    Pass,

    /// <summary>Answers every request <c>503 Server Busy</c>, as storage does under throttling or a failover.</summary>
    Unavailable,

    /// <summary>Accepts connections and resets them (and cuts those open): the network failing mid-request.</summary>
    Cut,

    /// <summary>Accepts nothing: connections are refused, as when storage is unreachable.</summary>
    Refuse,
}

/// <summary>
/// A relay in front of one storage endpoint (Azurite's Blob, Queue or Table port) that fails as storage
/// does: it answers 503, cuts connections, or refuses them, for as long as a test says; switching mode also
/// cuts the connections open at that moment. Real faults on real sockets: the SDK's retries, time-outs and
/// errors are the ones Azure's would cause.
/// </summary>
public sealed class StorageRelay : IAsyncDisposable
{
    private readonly int _targetPort;
    private readonly ConcurrentDictionary<TcpClient, byte> _open = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly object _gate = new();
    private TcpListener? _listener;
    private RelayMode _mode = RelayMode.Pass;
    private long _failed;

    private StorageRelay(int port, int targetPort)
    {
        Port = port;
        _targetPort = targetPort;
    }

    /// <summary>The relay's loopback port.</summary>
    public int Port { get; }

    /// <summary>Requests and connections failed on purpose so far.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Starts a relay on a free loopback port in front of <paramref name="targetPort"/>.</summary>
    public static StorageRelay Start(int targetPort)
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var relay = new StorageRelay(port, targetPort);
        relay.Listen();
        return relay;
    }

    /// <summary>Changes the mode; connections open now are cut unless the mode is <see cref="RelayMode.Pass"/>
    /// throughout.</summary>
    public void Set(RelayMode mode)
    {
        lock (_gate)
        {
            var was = _mode;
            _mode = mode;
            if (mode != RelayMode.Pass || was != RelayMode.Pass)
            {
                foreach (var client in _open.Keys)
                {
                    Reset(client);
                }
            }

            if (mode == RelayMode.Refuse)
            {
                _listener?.Stop();
                _listener = null;
            }
            else if (_listener is null)
            {
                Listen();
            }
        }
    }

    /// <summary>Fails in <paramref name="mode"/> for <paramref name="duration"/>, then passes again.</summary>
    public async Task FailForAsync(RelayMode mode, TimeSpan duration)
    {
        Set(mode);
        await Task.Delay(duration);
        Set(RelayMode.Pass);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        lock (_gate)
        {
            _listener?.Stop();
            _listener = null;
            foreach (var client in _open.Keys)
            {
                Reset(client);
            }
        }

        _stop.Dispose();
    }

    private void Listen()
    {
        var listener = new TcpListener(IPAddress.Loopback, Port);
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start();
        _listener = listener;
        _ = Task.Run(() => AcceptAsync(listener));
    }

    private async Task AcceptAsync(TcpListener listener)
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                return; // stopped (refusing, or disposed)
            }

            _ = Task.Run(() => HandleAsync(client));
        }
    }

    private async Task HandleAsync(TcpClient client)
    {
        _open[client] = 0;
        try
        {
            switch (_mode)
            {
                case RelayMode.Cut:
                    Interlocked.Increment(ref _failed);
                    Reset(client);
                    break;
                case RelayMode.Unavailable:
                    await AnswerUnavailableAsync(client);
                    break;
                default:
                    await PassAsync(client);
                    break;
            }
        }
        catch (Exception ex)
            when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The connection ended, on purpose or not: either way this relay is done with it.
        }
        finally
        {
            _open.TryRemove(client, out _);
            client.Dispose();
        }
    }

    /// <summary>Reads each request (head and body) and answers 503, until the client closes or the mode
    /// changes.</summary>
    private async Task AnswerUnavailableAsync(TcpClient client)
    {
        var stream = client.GetStream();
        while (_mode == RelayMode.Unavailable && await ReadRequestAsync(stream))
        {
            Interlocked.Increment(ref _failed);
            var answer = Encoding.ASCII.GetBytes(
                "HTTP/1.1 503 Server Busy\r\nx-ms-error-code: ServerBusy\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            await stream.WriteAsync(answer, _stop.Token);
            return;
        }
    }

    private async Task<bool> ReadRequestAsync(NetworkStream stream)
    {
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await stream.ReadAsync(one, _stop.Token) == 0)
            {
                return false;
            }

            head.Append((char)one[0]);
        }

        var length = head.ToString()
            .Split("\r\n")
            .Where(line => line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            .Select(line =>
                long.Parse(line["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture)
            )
            .FirstOrDefault();
        var buffer = new byte[64 * 1024];
        while (length > 0)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, length)), _stop.Token);
            if (read == 0)
            {
                return false;
            }

            length -= read;
        }

        return true;
    }

    private async Task PassAsync(TcpClient client)
    {
        using var target = new TcpClient();
        await target.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
        _open[target] = 0;
        try
        {
            var up = client.GetStream().CopyToAsync(target.GetStream(), _stop.Token);
            var down = target.GetStream().CopyToAsync(client.GetStream(), _stop.Token);
            await Task.WhenAny(up, down);
        }
        finally
        {
            _open.TryRemove(target, out _);
        }
    }

    /// <summary>Ends a connection with a reset, as a network failure does.</summary>
    private static void Reset(TcpClient client)
    {
        try
        {
            if (client.Client is { } socket)
            {
                socket.LingerState = new LingerOption(true, 0);
                socket.Close();
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already closed.
        }
    }
}
