using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
namespace Pipeline.Azurite;

/// <summary>
/// Azurite (the npm package pinned in the repository's package.json) started in memory on free
/// loopback ports, used by the dev host's embedded default and by the tests. It stops with this object,
/// and also when the process that started it dies (even by kill -9): a guard script exits as soon as its
/// standard input, a pipe from the parent, closes.
/// </summary>
public sealed class AzuriteProcess : IAsyncDisposable
{
    private const string GuardScript = """
        // Exit when the parent's pipe closes, so an emulator never outlives the process that started it.
        process.stdin.on('end', () => process.exit(0));
        process.stdin.on('error', () => process.exit(0));
        process.stdin.resume();
        const azurite = process.argv[2];
        process.argv.splice(1, 2, azurite);
        require(azurite);
        """;

    private readonly Process _process;
    private readonly StringBuilder _output;

    /// <summary>The emulator's account name.</summary>
    public const string AccountName = "devstoreaccount1";

    /// <summary>The emulator's well-known account key (public by design).</summary>
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private AzuriteProcess(Process process, StringBuilder output, int blobPort, int queuePort, int tablePort)
    {
        _process = process;
        _output = output;
        BlobPort = blobPort;
        QueuePort = queuePort;
        TablePort = tablePort;
    }

    /// <summary>The emulator's process id (node).</summary>
    public int ProcessId => _process.Id;

    /// <summary>The Blob service port.</summary>
    public int BlobPort { get; }

    /// <summary>The Queue service port.</summary>
    public int QueuePort { get; }

    /// <summary>The Table service port.</summary>
    public int TablePort { get; }

    /// <summary>A connection string for the emulator's development account (Blob, Queue and Table endpoints).</summary>
    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{BlobPort}/{AccountName};" +
        $"QueueEndpoint=http://127.0.0.1:{QueuePort}/{AccountName};" +
        $"TableEndpoint=http://127.0.0.1:{TablePort}/{AccountName};";

    /// <summary>
    /// Finds <c>node_modules/azurite</c> in <paramref name="searchFrom"/> or a parent folder (else from the
    /// application's folder and the current directory), starts it and waits until both services answer.
    /// The ports are free when chosen but may be taken before Azurite binds them; then it starts again on others.
    /// </summary>
    public static async Task<AzuriteProcess> StartAsync(string? searchFrom = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var script = FindAzurite(searchFrom);
        var guard = Path.Combine(Path.GetTempPath(), "pipeline-azurite-guard.js");
        await File.WriteAllTextAsync(guard, GuardScript, cancellationToken).ConfigureAwait(false);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnceAsync(script, guard, timeout, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidOperationException ex) when (attempt < 3 && ex.Message.Contains("EADDRINUSE", StringComparison.Ordinal))
            {
                // Another process took a port between choosing and binding it.
            }
        }
    }

    private static async Task<AzuriteProcess> StartOnceAsync(string script, string guard, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var workDirectory = Directory.CreateTempSubdirectory("pipeline-azurite-").FullName;

        var (blobPort, queuePort, tablePort) = (FreePort(), FreePort(), FreePort());
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = workDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     guard, script, "--inMemoryPersistence", "--skipApiVersionCheck", "--disableTelemetry", "--silent",
                     "--blobHost", "127.0.0.1", "--blobPort", Port(blobPort),
                     "--queueHost", "127.0.0.1", "--queuePort", Port(queuePort),
                     "--tableHost", "127.0.0.1", "--tablePort", Port(tablePort),
                 })
        {
            start.ArgumentList.Add(argument);
        }

        var output = new StringBuilder();
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start node to run Azurite");
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var azurite = new AzuriteProcess(process, output, blobPort, queuePort, tablePort);
        try
        {
            await azurite.WaitUntilReadyAsync(timeout ?? TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
            return azurite;
        }
        catch
        {
            await azurite.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }

        _process.Dispose();
    }

    private async Task WaitUntilReadyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        foreach (var port in new[] { BlobPort, QueuePort, TablePort })
        {
            while (true)
            {
                if (_process.HasExited)
                {
                    throw new InvalidOperationException($"Azurite exited with code {_process.ExitCode}: {Output()}");
                }

                try
                {
                    // Any HTTP answer (even 400 or 403) means the service is listening.
                    using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/"), cancellationToken).ConfigureAwait(false);
                    break;
                }
                catch (HttpRequestException) when (DateTime.UtcNow < deadline)
                {
                    await Task.Delay(100, cancellationToken).ConfigureAwait(false);
                }
                catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested && DateTime.UtcNow < deadline)
                {
                    await Task.Delay(100, cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    private string Output()
    {
        lock (_output)
        {
            return _output.ToString();
        }
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            if (output.Length < 16_384)
            {
                output.AppendLine(line);
            }
        }
    }

    private static string FindAzurite(string? searchFrom)
    {
        var starts = new[] { searchFrom, AppContext.BaseDirectory, Environment.CurrentDirectory }.OfType<string>();
        foreach (var start in starts)
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                var candidate = Path.Combine(directory.FullName, "node_modules", "azurite", "dist", "src", "azurite.js");
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new FileNotFoundException(
            "Azurite is not installed: run 'npm ci' in the repository root (package.json pins the version), " +
            "or configure a storage connection string instead.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);
}
