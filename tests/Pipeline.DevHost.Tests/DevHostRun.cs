using System.Net;
using System.Net.Sockets;
using Pipeline.Testing;

namespace Pipeline.DevHost.Tests;

/// <summary>
/// The dev host as its own process on a free loopback port, against the shared Azurite (so its data
/// outlives a killed host) under its own storage prefix; and the <c>pipeline</c> tool as a process.
/// </summary>
internal sealed class DevHostRun : IAsyncDisposable
{
    private static int _counter;
    private readonly Dictionary<string, string> _environment;
    private DotnetProcess? _host;
    private bool _started;

    /// <summary>
    /// A run on the shared Azurite, or, with <paramref name="azurite"/> null, on the dev host's embedded
    /// default (its own Azurite keeping data in <see cref="DataDirectory"/>).
    /// </summary>
    public DevHostRun(AzuriteFixture? azurite, TimeSpan epoch, IReadOnlyDictionary<string, string>? settings = null)
    {
        BaseUri = new Uri($"http://127.0.0.1:{FreePort()}/");
        WorkDirectory = Directory.CreateTempSubdirectory("pipeline-e2e-").FullName;
        _environment = new Dictionary<string, string>
        {
            ["DevHost__DataDirectory"] = DataDirectory,
            ["Pipeline__StoragePrefix"] = $"e{Environment.ProcessId % 10000}x{Interlocked.Increment(ref _counter)}",
            ["Pipeline__EpochLength"] = epoch.ToString("c"),
            ["ASPNETCORE_URLS"] = BaseUri.ToString().TrimEnd('/'),
            ["Logging__LogLevel__Default"] = "Warning",
            ["RecomputeSchedule"] = string.Empty, // recomputes on demand only: the tests start them
        };
        if (azurite is not null)
        {
            _environment["AzureWebJobsStorage"] = azurite.ConnectionString;
        }

        foreach (var (name, value) in settings ?? new Dictionary<string, string>())
        {
            _environment[name] = value;
        }
    }

    /// <summary>The prefix of this run's tables and containers.</summary>
    public string StoragePrefix => _environment["Pipeline__StoragePrefix"];

    /// <summary>Where the host listens; chosen once, so that a restarted host is found at the same address.</summary>
    public Uri BaseUri { get; private set; }

    public string WorkDirectory { get; }

    /// <summary>The dev host's local state: the embedded Azurite's data and the generated admin key.</summary>
    public string DataDirectory => Path.Combine(WorkDirectory, "state");

    /// <summary>The process's exit code once it has ended.</summary>
    public int? ExitCode => _host is { HasExited: true } host ? host.ExitCode : null;

    public string HostOutput => _host?.Output ?? string.Empty;

    public async Task StartHostAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await StartHostOnceAsync();
                _started = true;
                return;
            }
            catch (InvalidOperationException ex)
                when (!_started
                    && attempt < 3
                    && ex.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase)
                )
            {
                // The port was free when chosen but taken before the first start bound it: choose another.
                BaseUri = new Uri($"http://127.0.0.1:{FreePort()}/");
                _environment["ASPNETCORE_URLS"] = BaseUri.ToString().TrimEnd('/');
            }
        }
    }

    private async Task StartHostOnceAsync()
    {
        _host = DotnetProcess.Start("Pipeline.DevHost", "Pipeline.DevHost", [], _environment);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (_host.HasExited)
            {
                // The exit can be seen before the last lines of output are read: waiting for the exit drains them.
                var exitCode = await _host.WaitForExitAsync(TimeSpan.FromSeconds(10));
                throw new InvalidOperationException($"the dev host exited with {exitCode}:\n{_host.Output}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri(BaseUri, "health"));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Not answering yet.
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"the dev host did not become healthy:\n{_host.Output}");
    }

    /// <summary>
    /// Polls the host (bounded) until its sealed cutoff is past the epoch that holds now: a recompute then
    /// covers everything published before this call.
    /// </summary>
    public async Task WaitUntilSealedPastNowAsync(TimeSpan? timeout = null)
    {
        using var http = new HttpClient { BaseAddress = BaseUri, Timeout = TimeSpan.FromSeconds(10) };
        var startedAt = DateTimeOffset.UtcNow;
        var deadline = startedAt + (timeout ?? TimeSpan.FromMinutes(1));
        while (true)
        {
            using var ingest = System.Text.Json.JsonDocument.Parse(await IngestStatusAsync(http));
            var length = TimeSpan.Parse(
                ingest.RootElement.GetProperty("epochLength").GetString()!,
                System.Globalization.CultureInfo.InvariantCulture
            );
            var target = ((startedAt - DateTimeOffset.UnixEpoch).Ticks / length.Ticks) + 1;
            if (
                ingest.RootElement.GetProperty("sealedCutoffEpoch")
                    is { ValueKind: System.Text.Json.JsonValueKind.Number } cutoff
                && cutoff.GetInt64() >= target
            )
            {
                return;
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException(
                    $"the host's sealed cutoff did not pass epoch {target}: {ingest.RootElement}"
                );
            }

            await Task.Delay(200);
        }
    }

    /// <summary>Polls the host (bounded) until its partitions together have ingested at least <paramref name="events"/>
    /// events.</summary>
    public async Task WaitUntilIngestedAsync(long events, TimeSpan? timeout = null)
    {
        await PollIngestAsync(
            ingest =>
                ingest.GetProperty("partitions").EnumerateArray().Sum(p => p.GetProperty("lastSequence").GetInt64() + 1)
                >= events,
            $"{events} events ingested",
            timeout
        );
    }

    /// <summary>Polls the host (bounded) until its partitions hold at least <paramref name="events"/> queued
    /// events.</summary>
    public async Task WaitUntilQueuedAsync(long events, TimeSpan? timeout = null)
    {
        await PollIngestAsync(
            ingest =>
                ingest.GetProperty("partitions").EnumerateArray().Sum(p => p.GetProperty("queued").GetInt64())
                >= events,
            $"{events} events queued",
            timeout
        );
    }

    private async Task PollIngestAsync(Func<System.Text.Json.JsonElement, bool> done, string what, TimeSpan? timeout)
    {
        using var http = new HttpClient { BaseAddress = BaseUri, Timeout = TimeSpan.FromSeconds(10) };
        var deadline = DateTimeOffset.UtcNow + (timeout ?? TimeSpan.FromMinutes(1));
        while (true)
        {
            using var ingest = System.Text.Json.JsonDocument.Parse(await IngestStatusAsync(http));
            if (done(ingest.RootElement))
            {
                return;
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException($"the host did not report {what}: {ingest.RootElement}");
            }

            await Task.Delay(50);
        }
    }

    private async Task<string> IngestStatusAsync(HttpClient http)
    {
        using var response = await http.GetAsync("api/ingest");
        var body = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode
            ? body
            : throw new InvalidOperationException($"/api/ingest answered {response.StatusCode}: {body}\n{HostOutput}");
    }

    /// <summary>Changes a setting for the next start (a new deployment of the same pipeline).</summary>
    public void Configure(string name, string value) => _environment[name] = value;

    /// <summary>A graceful stop (SIGTERM); returns the exit code.</summary>
    public async Task<int> StopHostAsync()
    {
        _host!.Terminate();
        return await _host.WaitForExitAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>Ctrl+C in the host's terminal; returns the exit code, or throws when it takes over <paramref
    /// name="within"/>.</summary>
    public async Task<int> InterruptHostAsync(TimeSpan within)
    {
        _host!.Interrupt();
        return await _host.WaitForExitAsync(within);
    }

    /// <summary>Starts a second host process on this run's settings (same storage and data), on another port.</summary>
    public DotnetProcess StartSecondHost()
    {
        var environment = new Dictionary<string, string>(_environment)
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{FreePort()}",
        };
        return DotnetProcess.Start("Pipeline.DevHost", "Pipeline.DevHost", [], environment);
    }

    /// <summary>kill -9: the process ends at once, without draining or shutting down.</summary>
    public void KillHost() => _host?.KillHard();

    public DotnetProcess StartTool(params string[] args) =>
        DotnetProcess.StartTool([.. args, "--url", BaseUri.ToString()], workingDirectory: WorkDirectory);

    /// <summary>Registers a spec of the repository's <c>examples/</c> while the host runs, as a user does:
    /// <c>pipeline views apply</c>.</summary>
    public async Task ApplyExampleAsync(string file, string adminKey)
    {
        await using var apply = StartTool(
            "views",
            "apply",
            Path.Combine(DotnetProcess.RepositoryRoot, "examples", file),
            "--key",
            adminKey
        );
        Assert.True(await apply.WaitForExitAsync(TimeSpan.FromMinutes(1)) == 0, apply.Output);
        Assert.Contains(": created ", apply.Output, StringComparison.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
