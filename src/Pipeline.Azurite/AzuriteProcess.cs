using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Pipeline.Azurite;

/// <summary>
/// Azurite (the npm package pinned in the repository's package.json) on free loopback ports: keeping its
/// data in a folder (the dev host's embedded default) or in memory (tests, benchmarks). It stops with this
/// object, and also when the process that started it dies (even by kill -9): a guard script notices that
/// its standard input, a pipe from the parent, has closed, and shuts Azurite down as Ctrl+C would, which
/// saves its data to the folder first. A storage process outliving a killed host loses nothing the host
/// had been told was stored.
/// </summary>
public sealed class AzuriteProcess : IAsyncDisposable
{
    private const string GuardScript = """
        // When the parent's pipe closes, shut down as on SIGTERM (Azurite saves its data then), so an
        // emulator never outlives the process that started it and never loses what it acknowledged.
        // A dead parent also leaves stdout and stderr broken: Azurite's shutdown messages would end the
        // process with EPIPE in the middle of saving, so they go nowhere.
        const quiet = () => {};

        // Ctrl+C in the host's terminal reaches every process of its group: the emulator ignores it (its own
        // SIGINT handlers are not installed), so the host shuts down with its storage still answering, and
        // then stops it by closing this pipe.
        process.on('SIGINT', quiet);
        for (const name of ['on', 'once', 'addListener', 'prependListener', 'prependOnceListener']) {
            const original = process[name].bind(process);
            process[name] = (event, listener) => event === 'SIGINT' ? process : original(event, listener);
        }
        process.stdout.on('error', quiet);
        process.stderr.on('error', quiet);
        const stop = () => {
            console.log = console.error = console.warn = console.info = quiet;
            process.emit('SIGTERM');
            setTimeout(() => process.exit(0), 15000).unref();
        };
        process.stdin.on('end', stop);
        process.stdin.on('error', stop);
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
    public const string AccountKey =
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly bool _persistent;

    private AzuriteProcess(
        Process process,
        StringBuilder output,
        int blobPort,
        int queuePort,
        int tablePort,
        bool persistent
    )
    {
        _persistent = persistent;
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
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};"
        + $"BlobEndpoint=http://127.0.0.1:{BlobPort}/{AccountName};"
        + $"QueueEndpoint=http://127.0.0.1:{QueuePort}/{AccountName};"
        + $"TableEndpoint=http://127.0.0.1:{TablePort}/{AccountName};";

    /// <summary>
    /// Finds <c>node_modules/azurite</c> in <paramref name="searchFrom"/> or a parent folder (else from the
    /// application's folder and the current directory), starts it and waits until both services answer.
    /// The ports are free when chosen but may be taken before Azurite binds them; then it starts again on others.
    /// </summary>
    /// <param name="searchFrom">Where to start looking for node_modules.</param>
    /// <param name="location">The folder to keep the data in; null keeps it in memory (it ends with the
    /// process).</param>
    /// <param name="timeout">How long to wait for the services to answer.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<AzuriteProcess> StartAsync(
        string? searchFrom = null,
        string? location = null,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default
    )
    {
        var script = FindAzurite(searchFrom);
        var guard = await WriteGuardAsync(Path.GetTempPath(), cancellationToken).ConfigureAwait(false);
        if (location is not null)
        {
            Directory.CreateDirectory(location);
            await WaitForPreviousAsync(location, cancellationToken).ConfigureAwait(false);
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var azurite = await StartOnceAsync(script, guard, location, timeout, cancellationToken)
                    .ConfigureAwait(false);
                if (location is not null)
                {
                    // Which emulator uses the folder, and for which host: a second host is refused while both live.
                    var marker = string.Create(
                        CultureInfo.InvariantCulture,
                        $"{azurite._process.Id} {Environment.ProcessId}"
                    );
                    await File.WriteAllTextAsync(PidFile(location), marker, cancellationToken).ConfigureAwait(false);
                }

                return azurite;
            }
            catch (InvalidOperationException ex)
                when (attempt < 3 && ex.Message.Contains("EADDRINUSE", StringComparison.Ordinal))
            {
                // Another process took a port between choosing and binding it.
            }
        }
    }

    /// <summary>The name of the data folder's marker of the Azurite that uses it.</summary>
    private static string PidFile(string location) => Path.Combine(location, "azurite.pid");

    /// <summary>
    /// Makes sure no other Azurite uses the folder: one whose host is still running means another dev host
    /// uses the data (refused at once, in one line); one whose host is gone is still saving after its host was
    /// killed, and is waited for (up to half a minute).
    /// </summary>
    private static async Task WaitForPreviousAsync(string location, CancellationToken cancellationToken)
    {
        var marker = File.Exists(PidFile(location))
            ? (await File.ReadAllTextAsync(PidFile(location), cancellationToken).ConfigureAwait(false)).Split(' ')
            : [];
        using var previous = marker.Length > 0 ? Running(marker[0], "node", "nodejs") : null;
        if (previous is null)
        {
            return;
        }

        using var owner = marker.Length > 1 ? Running(marker[1], "dotnet", "Pipeline.DevHost") : null;
        if (owner is not null && owner.Id != Environment.ProcessId)
        {
            throw new InvalidOperationException(
                $"another dev host (process {owner.Id}) uses the data in {location}: stop it first, "
                    + "or give this one other data with DevHost__DataDirectory"
            );
        }

        using var patience = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        patience.CancelAfter(TimeSpan.FromSeconds(30));
        try
        {
            await previous.WaitForExitAsync(patience.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new InvalidOperationException(
                $"the storage process {previous.Id} of an earlier dev host still holds {location} after 30 seconds: "
                    + "end it, or give this host other data with DevHost__DataDirectory"
            );
        }
    }

    /// <summary>The process with this id if it runs and has one of these names; null otherwise.</summary>
    private static Process? Running(string id, params string[] names)
    {
        if (!int.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
        {
            return null;
        }

        try
        {
            var process = Process.GetProcessById(pid);
            if (!process.HasExited && names.Contains(process.ProcessName, StringComparer.Ordinal))
            {
                return process;
            }

            process.Dispose();
            return null;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static async Task<AzuriteProcess> StartOnceAsync(
        string script,
        string guard,
        string? location,
        TimeSpan? timeout,
        CancellationToken cancellationToken
    )
    {
        var workDirectory = location ?? Directory.CreateTempSubdirectory("pipeline-azurite-").FullName;

        var (blobPort, queuePort, tablePort) = (FreePort(), FreePort(), FreePort());
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = workDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] storage = location is null ? ["--inMemoryPersistence"] : ["--location", location];
        string[] arguments =
        [
            guard,
            script,
            .. storage,
            "--skipApiVersionCheck",
            // Required: Azurite's telemetry client is not installed (package.json overrides it with a stand-in
            // that throws if called, saving a second of processor time in every start and 40,000 files in npm ci).
            "--disableTelemetry",
            "--silent",
            "--blobHost",
            "127.0.0.1",
            "--blobPort",
            Port(blobPort),
            "--queueHost",
            "127.0.0.1",
            "--queuePort",
            Port(queuePort),
            "--tableHost",
            "127.0.0.1",
            "--tablePort",
            Port(tablePort),
        ];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var output = new StringBuilder();
        var process =
            Process.Start(start) ?? throw new InvalidOperationException("could not start node to run Azurite");
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var azurite = new AzuriteProcess(process, output, blobPort, queuePort, tablePort, location is not null);
        try
        {
            await azurite
                .WaitUntilReadyAsync(timeout ?? TimeSpan.FromSeconds(60), cancellationToken)
                .ConfigureAwait(false);
            return azurite;
        }
        catch
        {
            await azurite.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Stops Azurite: in memory, at once; with a data folder, as Ctrl+C would (closing its standard input
    /// makes the guard shut it down, which saves the data), killing it only if that takes over 30 seconds.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            if (_persistent)
            {
                _process.StandardInput.Close();
                using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                try
                {
                    await _process.WaitForExitAsync(patience.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // Still running: killed below.
                }
            }

            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().ConfigureAwait(false);
            }
        }

        _process.Dispose();
    }

    /// <summary>
    /// Writes the guard script where every emulator start of this machine finds it: named after its content, and
    /// moved into place whole, because node reading a file that another start is still writing runs a truncated
    /// (often empty) script, and Azurite then ends at once with code 0 and no output. One of another length (a
    /// disk that filled up) is written again.
    /// </summary>
    internal static async Task<string> WriteGuardAsync(string folder, CancellationToken cancellationToken)
    {
        var content = Encoding.UTF8.GetBytes(GuardScript);
        var name = $"pipeline-azurite-guard-{Convert.ToHexStringLower(SHA256.HashData(content))[..16]}.js";
        var guard = Path.Combine(folder, name);
        if (LengthOf(guard) != content.Length)
        {
            var written = $"{guard}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
            await File.WriteAllBytesAsync(written, content, cancellationToken).ConfigureAwait(false);
            File.Move(written, guard, overwrite: true);
        }

        return guard;
    }

    private static long? LengthOf(string file)
    {
        try
        {
            return new FileInfo(file).Length;
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    private async Task WaitUntilReadyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = TimeProvider.System.GetUtcNow() + timeout;
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
                    using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/"), cancellationToken)
                        .ConfigureAwait(false);
                    break;
                }
                catch (HttpRequestException) when (TimeProvider.System.GetUtcNow() < deadline)
                {
                    await Task.Delay(100, cancellationToken).ConfigureAwait(false);
                }
                catch (TaskCanceledException)
                    when (!cancellationToken.IsCancellationRequested && TimeProvider.System.GetUtcNow() < deadline)
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

    /// <summary>The folder whose node_modules holds Azurite (the repository root), or null when it is not
    /// installed.</summary>
    public static string? InstallationRoot(string? searchFrom = null)
    {
        try
        {
            // From node_modules/azurite/dist/src up to the folder that holds node_modules.
            return Path.GetFullPath(
                Path.Combine(Path.GetDirectoryName(FindAzurite(searchFrom))!, "..", "..", "..", "..")
            );
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    private static string FindAzurite(string? searchFrom)
    {
        var starts = new[] { searchFrom, AppContext.BaseDirectory, Environment.CurrentDirectory }.OfType<string>();
        foreach (var start in starts)
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                var candidate = Path.Combine(
                    directory.FullName,
                    "node_modules",
                    "azurite",
                    "dist",
                    "src",
                    "azurite.js"
                );
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new FileNotFoundException(
            "Azurite is not installed: run 'npm ci' in the repository root (package.json pins the version), "
                + "or configure a storage connection string instead."
        );
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);
}
