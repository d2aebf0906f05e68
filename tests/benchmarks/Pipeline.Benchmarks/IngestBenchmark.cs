using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Pipeline.Azurite;
using Pipeline.Storage;
using Pipeline.Storage.Tables;

namespace Pipeline.Benchmarks;

/// <summary>
/// Sustained ingest through the dev host (a separate process, on Azurite), beside a naive baseline that
/// writes one raw blob and upserts one table row per event, as the usual Event Hub to Table samples do.
/// Reports events/s, storage requests per 1,000 events, and publish-to-visible latency at 5,000 events/s.
/// </summary>
internal static class IngestBenchmark
{
    private const int Senders = 8;
    private const int EventsPerRequest = 1_000;

    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 60;
        var extraVersions = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 0;
        await using var azurite = await AzuriteProcess.StartAsync();
        var port = 7200 + Random.Shared.Next(500);
        var baseUri = new Uri($"http://127.0.0.1:{port}/");
        using var host = StartDevHost(
            azurite.ConnectionString,
            baseUri,
            new Dictionary<string, string> { ["DevHost__AdminKey"] = "bench" }
        );
        using var http = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromMinutes(2) };
        await WaitHealthyAsync(http, host);
        if (extraVersions > 0)
        {
            Console.WriteLine($"registering {extraVersions} more view versions over HTTP ...");
            await RegisteredVersions.RegisterAsync(http, "bench", extraVersions);
        }

        Console.WriteLine(
            $"sustained ingest for {seconds} s: {Senders} publishers, {EventsPerRequest} events per request ..."
        );
        var cpu = CpuTimes(host.Process, azurite.ProcessId);
        var sustained = await SustainedAsync(http, TimeSpan.FromSeconds(seconds));
        var cpuAfter = CpuTimes(host.Process, azurite.ProcessId);
        Console.WriteLine($"fixed 5,000 events/s for 20 s (100 events every 20 ms) ...");
        var latencies = await FixedRateAsync(http, 5_000, TimeSpan.FromSeconds(20));
        Console.WriteLine("naive baseline for 20 s: one blob write and one table upsert per event, 32 at a time ...");
        var naive = await NaiveAsync(azurite.ConnectionString, TimeSpan.FromSeconds(20));
        host.Dispose();

        Console.WriteLine();
        Console.WriteLine("| measurement | pipeline (dev host) | naive baseline |");
        Console.WriteLine("|---|---|---|");
        Console.WriteLine(
            $"| events/s sustained | {sustained.EventsPerSecond:N0} ({sustained.Events:N0} events in "
                + $"{sustained.Elapsed.TotalSeconds:N0} s) | {naive.EventsPerSecond:N0} ({naive.Events:N0} events in "
                + $"{naive.Elapsed.TotalSeconds:N0} s) |"
        );
        Console.WriteLine(
            $"| storage requests per 1,000 events | {sustained.RequestsPerThousand:N1} | "
                + $"{naive.RequestsPerThousand:N1} |"
        );
        Console.WriteLine(
            $"| CPU per 1,000 events sustained: dev host / Azurite | "
                + $"{(cpuAfter.Host - cpu.Host).TotalMilliseconds * 1000 / sustained.Events:N1} / "
                + $"{(cpuAfter.Azurite - cpu.Azurite).TotalMilliseconds * 1000 / sustained.Events:N1} ms | |"
        );
        Console.WriteLine(
            $"| requests ratio | 1 | {naive.RequestsPerThousand / sustained.RequestsPerThousand:N0}x more |"
        );
        Console.WriteLine(
            $"| publish-to-visible at 5,000 events/s, p50 / p99 / max | {Percentile(latencies, 0.50):N0} / "
                + $"{Percentile(latencies, 0.99):N0} / {latencies.Max():N0} ms | |"
        );
        return 0;
    }

    private sealed record Throughput(long Events, TimeSpan Elapsed, double RequestsPerThousand)
    {
        public double EventsPerSecond => Events / Elapsed.TotalSeconds;
    }

    private static async Task<Throughput> SustainedAsync(HttpClient http, TimeSpan duration)
    {
        var before = await StorageRequestsAsync(http);
        var watch = Stopwatch.StartNew();
        long events = 0;
        await Task.WhenAll(
            Enumerable
                .Range(0, Senders)
                .Select(async sender =>
                {
                    var traffic = new LiveTraffic(sender);
                    var next = traffic.NdjsonBatch(EventsPerRequest, $"s{sender}");
                    while (watch.Elapsed < duration)
                    {
                        using var response = await http.PostAsync(
                            "api/events",
                            new StringContent(next, Encoding.UTF8, "application/x-ndjson")
                        );
                        if (response.IsSuccessStatusCode)
                        {
                            Interlocked.Add(ref events, EventsPerRequest);
                            next = traffic.NdjsonBatch(EventsPerRequest, $"s{sender}");
                        }
                        else
                        {
                            await Task.Delay(100);
                        }
                    }
                })
        );
        var elapsed = watch.Elapsed;
        var requests = await StorageRequestsAsync(http) - before;
        return new Throughput(events, elapsed, requests * 1000.0 / events);
    }

    private static async Task<List<double>> FixedRateAsync(HttpClient http, int eventsPerSecond, TimeSpan duration)
    {
        const int perRequest = 100;
        var interval = TimeSpan.FromSeconds(perRequest / (double)eventsPerSecond);
        var traffic = new LiveTraffic(99);
        var latencies = new List<double>();
        var pending = new List<Task>();
        var watch = Stopwatch.StartNew();
        for (var i = 0; watch.Elapsed < duration; i++)
        {
            var due = interval * i;
            if (due > watch.Elapsed)
            {
                await Task.Delay(due - watch.Elapsed);
            }

            var body = traffic.NdjsonBatch(perRequest, "r");
            pending.Add(
                Task.Run(async () =>
                {
                    var sent = Stopwatch.GetTimestamp();
                    using var response = await http.PostAsync(
                        "api/events",
                        new StringContent(body, Encoding.UTF8, "application/x-ndjson")
                    );
                    response.EnsureSuccessStatusCode();
                    var elapsed = Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
                    lock (latencies)
                    {
                        latencies.Add(elapsed);
                    }
                })
            );
        }

        await Task.WhenAll(pending);
        return latencies;
    }

    private static async Task<Throughput> NaiveAsync(string connectionString, TimeSpan duration)
    {
        var account = StorageAccount.FromConnectionString(connectionString);
        var blobs = account.Blobs.GetBlobContainerClient("naive-raw");
        var table = account.Tables.GetTableClient("naiveviews");
        await blobs.CreateIfNotExistsAsync();
        await table.CreateIfNotExistsAsync();
        var before = StorageMetrics.Requests;
        var watch = Stopwatch.StartNew();
        long events = 0;
        await Task.WhenAll(
            Enumerable
                .Range(0, 32)
                .Select(async worker =>
                {
                    var traffic = new LiveTraffic(1_000 + worker);
                    while (watch.Elapsed < duration)
                    {
                        foreach (
                            var line in traffic
                                .NdjsonBatch(50, $"n{worker}")
                                .Split('\n', StringSplitOptions.RemoveEmptyEntries)
                        )
                        {
                            using var json = JsonDocument.Parse(line);
                            var id = json.RootElement.GetProperty("id").GetString()!;
                            var day = json.RootElement.GetProperty("time").GetString()![..10];
                            await blobs
                                .GetBlobClient($"{id}.json")
                                .UploadAsync(BinaryData.FromString(line), overwrite: false);
                            await table.UpsertEntityAsync(
                                new TableEntity(day, id) { ["Type"] = json.RootElement.GetProperty("type").GetString() }
                            );
                            Interlocked.Increment(ref events);
                            if (watch.Elapsed >= duration)
                            {
                                break;
                            }
                        }
                    }
                })
        );
        var elapsed = watch.Elapsed;
        return new Throughput(events, elapsed, (StorageMetrics.Requests - before) * 1000.0 / events);
    }

    /// <summary>The dev host's release build, which the benchmarks start.</summary>
    internal static string DevHostDll { get; } =
        Path.GetFullPath(
            Path.Combine(
                AppContext.BaseDirectory,
                "..",
                "..",
                "..",
                "..",
                "..",
                "..",
                "src",
                "Pipeline.DevHost",
                "bin",
                "Release",
                "net10.0",
                "Pipeline.DevHost.dll"
            )
        );

    internal static BenchmarkHost StartDevHost(
        string connectionString,
        Uri baseUri,
        IReadOnlyDictionary<string, string>? settings = null
    )
    {
        Prerequisites.RequireReleaseBuild(DevHostDll);
        var start = new ProcessStartInfo("dotnet", [DevHostDll])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["AzureWebJobsStorage"] = connectionString;
        start.Environment["ASPNETCORE_URLS"] = baseUri.ToString().TrimEnd('/');
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Pipeline__EpochLength"] = "01:00:00"; // Azure's default, as the numbers were measured
        start.Environment["DevHost__DataDirectory"] = Directory.CreateTempSubdirectory("pipeline-bench-").FullName;
        foreach (var (name, value) in settings ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                Console.Error.WriteLine($"[dev host] {e.Data}");
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new BenchmarkHost(process);
    }

    internal static async Task WaitHealthyAsync(HttpClient http, BenchmarkHost started)
    {
        var host = started.Process;
        for (var i = 0; i < 300; i++)
        {
            if (host.HasExited)
            {
                throw new InvalidOperationException("the dev host exited");
            }

            try
            {
                using var response = await http.GetAsync("health");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not yet listening.
            }

            await Task.Delay(200);
        }

        throw new TimeoutException("the dev host did not become healthy");
    }

    private static async Task<long> StorageRequestsAsync(HttpClient http)
    {
        using var health = await http.GetFromJsonAsync<JsonDocument>("health");
        return health!.RootElement.GetProperty("storageRequests").GetInt64();
    }

    /// <summary>CPU time used so far by the dev host and by Azurite (node and its children).</summary>
    private static (TimeSpan Host, TimeSpan Azurite) CpuTimes(Process host, int azurite)
    {
        host.Refresh();
        using var node = Process.GetProcessById(azurite);
        return (host.TotalProcessorTime, node.TotalProcessorTime);
    }

    private static double Percentile(List<double> values, double percentile)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)(percentile * sorted.Count))];
    }
}
