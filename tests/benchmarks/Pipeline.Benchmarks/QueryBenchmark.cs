using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azure.Data.Tables;
using Pipeline.Application.Configuration;
using Pipeline.Application.Storage;
using Pipeline.Azurite;
using Pipeline.Storage;
using Pipeline.Testing;

namespace Pipeline.Benchmarks;

/// <summary>
/// Query latency over HTTP with many concurrent clients (wrk): one key, and a 31-day range, answered as
/// batch ⊕ speed after a recompute and the retirement of the speed rows it covers, with fresh speed data
/// on top.
/// </summary>
internal static partial class QueryBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20;
        Prerequisites.RequireProgram("wrk", "apt-get install wrk");
        await using var azurite = await AzuriteProcess.StartAsync();
        var baseUri = new Uri($"http://127.0.0.1:{7800 + Random.Shared.Next(400)}/");
        using var host = IngestBenchmark.StartDevHost(
            azurite.ConnectionString,
            baseUri,
            new Dictionary<string, string>
            {
                ["Pipeline__EpochLength"] = "00:00:02",
                ["DevHost__AdminKey"] = "bench",
                ["RecomputeSchedule"] = string.Empty,
                ["Pipeline__RetirementGrace"] = "00:00:05",
                ["Pipeline__AuditInterval"] = "00:00:00",
            }
        );
        using var http = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromMinutes(2) };
        await IngestBenchmark.WaitHealthyAsync(http, host);
        using (
            var registered = await http.PutAsync(
                "api/views/new-users/versions/2?code=bench",
                new ByteArrayContent(
                    await File.ReadAllBytesAsync(
                        Path.Combine(DotnetProcess.RepositoryRoot, "examples", "new-users.2.json")
                    )
                )
            )
        )
        {
            registered.EnsureSuccessStatusCode();
        }

        Console.WriteLine("publishing 200,000 events over 35 days, then recomputing every view ...");
        var history = new LiveTraffic(7, spanSeconds: 35 * 86_400);
        for (var i = 0; i < 200; i++)
        {
            using var response = await http.PostAsync(
                "api/events",
                new StringContent(history.NdjsonBatch(1_000, "h"), Encoding.UTF8, "application/x-ndjson")
            );
            response.EnsureSuccessStatusCode();
        }

        await Task.Delay(TimeSpan.FromSeconds(6));
        foreach (
            var path in new[]
            {
                "recompute/new-users",
                "recompute/active-users",
                "recompute/revenue",
                "recompute/page-views",
                "replay/new-users?version=2&",
            }
        )
        {
            using var started = await http.PostAsync(
                $"api/{path}{(path.Contains('?', StringComparison.Ordinal) ? string.Empty : "?")}code=bench",
                null
            );
            var operation = JsonDocument
                .Parse(await started.Content.ReadAsStringAsync())
                .RootElement.GetProperty("operationId")
                .GetString();
            while (
                JsonDocument
                    .Parse(await http.GetStringAsync($"api/operations/{operation}"))
                    .RootElement.GetProperty("state")
                    .GetString() == "running"
            )
            {
                await Task.Delay(200);
            }
        }

        var live = new LiveTraffic(8);
        for (var i = 0; i < 10; i++)
        {
            using var response = await http.PostAsync(
                "api/events",
                new StringContent(live.NdjsonBatch(1_000, "l"), Encoding.UTF8, "application/x-ndjson")
            );
            response.EnsureSuccessStatusCode();
        }

        var speedRows = await WaitForRetirementAsync(azurite.ConnectionString);
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var monthAgo = DateTime.UtcNow.AddDays(-30).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        Console.WriteLine($"sample answer: {await http.GetStringAsync($"api/views/new-users?key={today}")}");
        Wrk(new Uri(baseUri, $"api/views/new-users?key={today}"), 3); // warm-up: JIT, connection pools, caches
        var one = Wrk(new Uri(baseUri, $"api/views/new-users?key={today}"), seconds);
        // The first range queries after the commit find no batch days in memory (the cold case, as after every commit).
        var range = Wrk(new Uri(baseUri, $"api/views/new-users?from={monthAgo}&to={today}"), seconds);
        var warmRange = Wrk(new Uri(baseUri, $"api/views/new-users?from={monthAgo}&to={today}"), seconds);

        // One key again while readers are moved from v1 to v2 and back every half second.
        var promotions = 0;
        var during = WrkWhileAsync(
            new Uri(baseUri, $"api/views/new-users?key={today}"),
            seconds,
            async () =>
            {
                using var moved = await http.PutAsync(
                    $"api/views/new-users/routing?weights={(promotions++ % 2 == 0 ? "2:100" : "1:100")}&code=bench",
                    null
                );
                moved.EnsureSuccessStatusCode();
                await Task.Delay(500);
            }
        );
        var promoting = await during;
        host.Dispose();

        Console.WriteLine();
        Console.WriteLine($"speed rows while measuring: {speedRows:N0}");
        Console.WriteLine($"| query (wrk, 2 threads, 32 connections, {seconds} s) | requests/s | p50 | p99 |");
        Console.WriteLine("|---|---|---|---|");
        Console.WriteLine(
            $"| one key (`new-users?key={today}`) | {one.RequestsPerSecond:N0} | {one.P50} | {one.P99} |"
        );
        Console.WriteLine(
            $"| 31-day range (`new-users?from={monthAgo}&to={today}`), first run after the commit | "
                + $"{range.RequestsPerSecond:N0} | {range.P50} | {range.P99} |"
        );
        Console.WriteLine(
            $"| 31-day range, again | {warmRange.RequestsPerSecond:N0} | {warmRange.P50} | {warmRange.P99} |"
        );
        Console.WriteLine(
            $"| one key during {promotions} promotions and roll-backs (every 0.5 s) | "
                + $"{promoting.RequestsPerSecond:N0} | {promoting.P50} | {promoting.P99} |"
        );
        return 0;
    }

    /// <summary>
    /// Waits until retirement has deleted the speed rows the batch views cover (deleting a hundred
    /// thousand rows takes Azurite minutes), as it would have in steady operation; returns the rows left.
    /// </summary>
    private static async Task<int> WaitForRetirementAsync(string connectionString)
    {
        var speed = new PipelineStore(
            StorageAccount.FromConnectionString(connectionString),
            new PipelineOptions()
        ).Speed;
        var watch = Stopwatch.StartNew();
        var previous = -1;
        while (true)
        {
            await Task.Delay(TimeSpan.FromSeconds(10));
            var rows = await speed.QueryAsync<TableEntity>(select: ["PartitionKey"]).CountAsync();
            Console.WriteLine($"  speed rows: {rows:N0} ({watch.Elapsed.TotalSeconds:F0} s)");
            if (rows == previous)
            {
                return rows;
            }

            previous = rows;
        }
    }

    /// <summary>Runs wrk while <paramref name="meanwhile"/> repeats until it ends.</summary>
    private static async Task<WrkResult> WrkWhileAsync(Uri uri, int seconds, Func<Task> meanwhile)
    {
        var wrk = Task.Run(() => Wrk(uri, seconds));
        while (!wrk.IsCompleted)
        {
            await meanwhile();
        }

        return await wrk;
    }

    private sealed record WrkResult(double RequestsPerSecond, string P50, string P99);

    private static WrkResult Wrk(Uri uri, int seconds)
    {
        var start = new ProcessStartInfo("wrk", ["-t2", "-c32", $"-d{seconds}s", "--latency", uri.ToString()])
        {
            RedirectStandardOutput = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("wrk did not start");
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Console.WriteLine(output);
        var rps = double.Parse(Rps().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
        return new WrkResult(rps, Percentile(output, "50%"), Percentile(output, "99%"));
    }

    private static string Percentile(string output, string label) =>
        Regex.Match(output, $@"^\s*{Regex.Escape(label)}\s+(\S+)", RegexOptions.Multiline).Groups[1].Value;

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex Rps();
}
