using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace Pipeline.Cli;

/// <summary>
/// The admin routes as commands: recompute (one view or all), replay and audit, each optionally waiting
/// for its operation and showing its progress. The admin key comes from <c>--key</c>, else
/// <c>PIPELINE_ADMIN_KEY</c>, else the dev host's <c>.azurite/local-admin-key</c> in this folder or above.
/// </summary>
internal sealed class AdminCommands(HttpClient http, Uri baseUri, string? key, TextWriter output)
{
    /// <summary>The longest the tool waits for the current epoch to seal before a recompute.</summary>
    private static readonly TimeSpan MaxSealWait = TimeSpan.FromMinutes(2);

    /// <summary>The admin key to send: the option, the environment, or the local dev host's key file.</summary>
    public static string? FindKey(string? option)
    {
        if (!string.IsNullOrEmpty(option))
        {
            return option;
        }

        if (Environment.GetEnvironmentVariable("PIPELINE_ADMIN_KEY") is { Length: > 0 } fromEnvironment)
        {
            return fromEnvironment;
        }

        for (
            var directory = new DirectoryInfo(Environment.CurrentDirectory);
            directory is not null;
            directory = directory.Parent
        )
        {
            var file = Path.Combine(directory.FullName, ".azurite", "local-admin-key");
            if (File.Exists(file))
            {
                return File.ReadAllText(file).Trim();
            }
        }

        return null;
    }

    /// <summary>
    /// Recomputes the given view (every version) or all views. With <paramref name="wait"/>, first waits for
    /// the epoch of now to seal (when that takes at most two minutes), so everything published before the
    /// command is covered, then for the operations to end. Returns the exit code.
    /// </summary>
    public async Task<int> RecomputeAsync(string? view, int? version, bool wait, CancellationToken cancellationToken)
    {
        if (wait)
        {
            await WaitForSealAsync(TimeProvider.System.GetUtcNow(), cancellationToken);
        }

        var targets = new List<(string Name, int Version)>();
        foreach (var (name, versions) in await ViewsAsync(cancellationToken))
        {
            if (view is null || name == view)
            {
                targets.AddRange(versions.Where(v => version is null || v == version).Select(v => (name, v)));
            }
        }

        if (targets.Count == 0)
        {
            throw new ArgumentException(
                view is null
                    ? "the pipeline has no views"
                    : $"the pipeline has no view "
                        + $"'{view}'{(version is null ? string.Empty : $" with version {version}")}"
            );
        }

        var joined = await StartRecomputesAsync(targets, wait, cancellationToken);
        if (!wait)
        {
            return 0;
        }

        if (await WaitForAllAsync(joined.Operations, cancellationToken) != 0)
        {
            return 1;
        }

        // A recompute already running when asked (the schedule's, or another client's) was answered instead of a new
        // one, and its cutoff may be older than the epoch waited for: once it has ended, those are asked again. A
        // start now finds nothing running older than that epoch, or the recompute of the newest cutoff already done.
        if (joined.AlreadyRunning.Count == 0)
        {
            return 0;
        }

        var again = await StartRecomputesAsync(joined.AlreadyRunning, wait, cancellationToken);
        return await WaitForAllAsync(again.Operations, cancellationToken);
    }

    private async Task<(
        List<(string Label, string Id)> Operations,
        List<(string Name, int Version)> AlreadyRunning
    )> StartRecomputesAsync(List<(string Name, int Version)> targets, bool wait, CancellationToken cancellationToken)
    {
        var operations = new List<(string Label, string Id)>();
        var alreadyRunning = new List<(string Name, int Version)>();
        foreach (var (name, v) in targets)
        {
            var label = new Pipeline.Domain.Views.ViewVersion(name, v).ToString();
            var (id, started, state) = await StartAsync($"api/recompute/{name}?version={v}", cancellationToken);
            operations.Add((label, id));
            if (!started && state == "running")
            {
                alreadyRunning.Add((name, v));
                var then = wait ? "asked again once it has ended" : "it keeps its own cutoff";
                output.WriteLine($"{label}: recompute {id} (already running: {then})");
            }
            else
            {
                output.WriteLine($"{label}: recompute {id}");
            }
        }

        return (operations, alreadyRunning);
    }

    /// <summary>
    /// Replays a version from the whole log; with <paramref name="wait"/>, after letting the current epoch
    /// seal as a recompute does, so that a version registered by the latest start is caught up by it.
    /// Returns the exit code.
    /// </summary>
    public async Task<int> ReplayAsync(string view, int version, bool wait, CancellationToken cancellationToken)
    {
        if (wait)
        {
            await WaitForSealAsync(TimeProvider.System.GetUtcNow(), cancellationToken);
        }

        var (id, _, _) = await StartAsync(
            $"api/replay/{Uri.EscapeDataString(view)}?version={version}",
            cancellationToken
        );
        output.WriteLine($"{new Pipeline.Domain.Views.ViewVersion(view, version)}: replay {id}");
        return wait
            ? await WaitForAllAsync(
                [(new Pipeline.Domain.Views.ViewVersion(view, version).ToString(), id)],
                cancellationToken
            )
            : 0;
    }

    /// <summary>Audits a version (default: the serving one) and, waiting, prints its report. Returns the exit code (1
    /// when not clean).</summary>
    public async Task<int> AuditAsync(string view, int? version, bool wait, CancellationToken cancellationToken)
    {
        var query = version is null ? string.Empty : $"?version={version}";
        var (id, _, _) = await StartAsync($"api/audit/{Uri.EscapeDataString(view)}{query}", cancellationToken);
        output.WriteLine($"{view}: audit {id}");
        if (!wait)
        {
            return 0;
        }

        if (await WaitForAllAsync([(view, id)], cancellationToken) != 0)
        {
            return 1;
        }

        using var reports =
            await http.GetFromJsonAsync<JsonDocument>(
                new Uri(
                    baseUri,
                    $"api/audits/{Uri.EscapeDataString(view)}?max=1"
                        + (version is null ? string.Empty : $"&version={version}")
                ),
                cancellationToken
            ) ?? throw new InvalidDataException("the audit listing answered nothing");
        var report = reports.RootElement.EnumerateArray().FirstOrDefault();
        if (report.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidOperationException("the audit ended but left no report");
        }

        var clean = report.GetProperty("clean").GetBoolean();
        output.WriteLine(
            string.Create(
                CultureInfo.InvariantCulture,
                $"{view}: audit {(clean ? "clean" : "NOT clean")}, {report.GetProperty("keysChecked").GetInt32():N0} "
                    + $"keys checked"
            )
        );
        foreach (var mismatch in report.GetProperty("mismatches").EnumerateArray().Take(25))
        {
            output.WriteLine($"  {mismatch}");
        }

        return clean ? 0 : 1;
    }

    private async Task WaitForSealAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        var status = await IngestAsync(cancellationToken);
        var length = TimeSpan.Parse(status.GetProperty("epochLength").GetString()!, CultureInfo.InvariantCulture);
        var clock = new Pipeline.Domain.Epochs.EpochClock(length);
        var sealsAt = clock.StartOf(clock.EpochOf(since) + 1);
        if (sealsAt - TimeProvider.System.GetUtcNow() > MaxSealWait)
        {
            output.WriteLine(
                $"the current epoch ({length:c} long) seals at {sealsAt:u}: recomputing what is sealed now; events "
                    + $"since its start are answered by the speed layer until a later recompute"
            );
            return;
        }

        output.WriteLine(
            $"waiting for the current epoch to seal (at {sealsAt:HH:mm:ss}), so that the recompute covers everything "
                + $"published before now"
        );
        while (
            !(
                status.GetProperty("sealedBefore").ValueKind == JsonValueKind.String
                && status.GetProperty("sealedBefore").GetDateTimeOffset() > since
            )
        )
        {
            await Task.Delay(500, cancellationToken);
            status = await IngestAsync(cancellationToken);
        }
    }

    private async Task<JsonElement> IngestAsync(CancellationToken cancellationToken)
    {
        using var status =
            await http.GetFromJsonAsync<JsonDocument>(new Uri(baseUri, "api/ingest"), cancellationToken)
            ?? throw new InvalidDataException("api/ingest answered nothing");
        return status.RootElement.Clone();
    }

    private async Task<List<(string Name, List<int> Versions)>> ViewsAsync(CancellationToken cancellationToken)
    {
        using var views =
            await http.GetFromJsonAsync<JsonDocument>(new Uri(baseUri, "api/views"), cancellationToken)
            ?? throw new InvalidDataException("api/views answered nothing");
        return
        [
            .. views
                .RootElement.EnumerateArray()
                .Select(v =>
                    (
                        v.GetProperty("name").GetString()!,
                        v.GetProperty("versions")
                            .EnumerateArray()
                            .Select(x => x.GetProperty("version").GetInt32())
                            .ToList()
                    )
                ),
        ];
    }

    /// <summary>Starts an operation through an admin route; returns its id, whether it was started by this call
    /// (not an equal one already there) and its state.</summary>
    private async Task<(string Id, bool Started, string? State)> StartAsync(
        string pathAndQuery,
        CancellationToken cancellationToken
    )
    {
        if (key is null)
        {
            throw new InvalidOperationException(
                "no admin key: pass --key, set PIPELINE_ADMIN_KEY, or run this where the dev host keeps "
                    + ".azurite/local-admin-key"
            );
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(baseUri, pathAndQuery));
        request.Headers.Add("x-functions-key", key);
        using var response = await http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST /{pathAndQuery}: {(int)response.StatusCode} {ErrorOf(text)}");
        }

        using var body = JsonDocument.Parse(text);
        var root = body.RootElement;
        return (
            root.GetProperty("operationId").GetString()!,
            !root.TryGetProperty("started", out var started) || started.ValueKind != JsonValueKind.False,
            root.TryGetProperty("state", out var state) ? state.GetString() : null
        );
    }

    /// <summary>Polls the operations until each has ended, printing progress; 0 when all completed.</summary>
    private async Task<int> WaitForAllAsync(
        List<(string Label, string Id)> operations,
        CancellationToken cancellationToken
    )
    {
        var failed = 0;
        var running = operations.ToList();
        var lastReport = DateTimeOffset.MinValue;
        while (running.Count > 0)
        {
            var report = TimeProvider.System.GetUtcNow() - lastReport > TimeSpan.FromSeconds(3);
            lastReport = report ? TimeProvider.System.GetUtcNow() : lastReport;
            foreach (var operation in running.ToList())
            {
                using var status =
                    await http.GetFromJsonAsync<JsonDocument>(
                        new Uri(baseUri, $"api/operations/{Uri.EscapeDataString(operation.Id)}"),
                        cancellationToken
                    ) ?? throw new InvalidDataException("the operation status answered nothing");
                var state = status.RootElement.GetProperty("state").GetString();
                if (state == "running" || state == "pending")
                {
                    if (report)
                    {
                        output.WriteLine($"  {operation.Label}: {Progress(status.RootElement)}");
                    }

                    continue;
                }

                running.Remove(operation);
                var error =
                    status.RootElement.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String
                        ? $": {e.GetString()}"
                        : string.Empty;
                output.WriteLine($"{operation.Label}: {state}{error}");
                failed += state == "completed" ? 0 : 1;
            }

            if (running.Count > 0)
            {
                await Task.Delay(500, cancellationToken);
            }
        }

        return failed == 0 ? 0 : 1;
    }

    private static string Progress(JsonElement status)
    {
        if (!status.TryGetProperty("customStatus", out var progress) || progress.ValueKind != JsonValueKind.Object)
        {
            return "starting";
        }

        var phase = progress.TryGetProperty("phase", out var p) ? p.GetString() : "running";
        var chunks =
            progress.TryGetProperty("chunks", out var c) && progress.TryGetProperty("chunksDone", out var d)
                ? string.Create(CultureInfo.InvariantCulture, $", {d.GetInt32()} of {c.GetInt32()} fold chunks")
                : string.Empty;
        return $"{phase}{chunks}";
    }

    private static string ErrorOf(string text)
    {
        try
        {
            using var json = JsonDocument.Parse(text);
            return json.RootElement.GetProperty("error").GetString() ?? text;
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return text;
        }
    }
}
