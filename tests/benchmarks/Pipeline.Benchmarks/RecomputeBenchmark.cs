using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Application.Batch;
using Pipeline.Application.Configuration;
using Pipeline.Application.Ingest;
using Pipeline.Application.Operations;
using Pipeline.Application.RawLog;
using Pipeline.Application.Storage;
using Pipeline.Azurite;
using Pipeline.Domain.Epochs;
using Pipeline.Domain.Views;
using Pipeline.Domain.Views.Specs;
using Pipeline.Durable;
using Pipeline.Storage;
using Pipeline.Storage.Tables;
using Pipeline.Testing;

namespace Pipeline.Benchmarks;

/// <summary>
/// Batch recompute of the four views from a raw log of N events on Azurite, beside DuckDB computing the
/// same views from byte-identical copies of the segments on local disk; then an incremental recompute
/// after one more epoch, beside a full one.
/// </summary>
internal static class RecomputeBenchmark
{
    internal const int Partitions = 4;
    private const int Epochs = 10;
    private const int SegmentEvents = 20_000;

    public static async Task<int> RunAsync(string[] args)
    {
        var total = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10_000_000;
        var chunkEvents =
            args.Length > 1 ? long.Parse(args[1], CultureInfo.InvariantCulture) : RecomputeInput.DefaultChunkEvents;
        // Activities at once: the dev host's default, or another (host.json gives Functions 4 an instance).
        var activities =
            args.Length > 2
                ? int.Parse(args[2], CultureInfo.InvariantCulture)
                : new DurableEngineOptions().ActivityConcurrency;
        var copies = Directory.CreateTempSubdirectory("pipeline-raw-copy-").FullName;
        await using var azurite = await AzuriteProcess.StartAsync();
        var options = new PipelineOptions
        {
            EpochLength = TimeSpan.FromHours(1),
            StoragePrefix = "bench",
            FoldChunkEvents = chunkEvents,
        };
        var store = new PipelineStore(StorageAccount.FromConnectionString(azurite.ConnectionString), options);
        await store.EnsureCreatedAsync();
        var clock = new EpochClock(options.EpochLength);
        var firstEpoch = clock.EpochOf(DateTimeOffset.UtcNow) - Epochs - 2;

        Console.WriteLine(
            $"writing {total:N0} events ({Partitions} partitions x {Epochs} epochs, {SegmentEvents:N0} per segment, "
                + $"1% producer retries) ..."
        );
        var watch = Stopwatch.StartNew();
        var sequences = new long[Partitions];
        var bytes = await WriteLogAsync(store, copies, clock, firstEpoch, Epochs, total, sequences);
        await SealAsync(store, clock, firstEpoch + Epochs, sequences);
        Console.WriteLine($"  {bytes / 1e6:N0} MB of gzip NDJSON in {watch.Elapsed.TotalSeconds:N0} s");

        // The dev host's Durable Task engine (default settings), in process, on the same account.
        await using var runner = await EngineHost.StartAsync(
            azurite.ConnectionString,
            options.StoragePrefix,
            settings: new Dictionary<string, string?>
            {
                ["Pipeline:EpochLength"] = options.EpochLength.ToString("c", CultureInfo.InvariantCulture),
                ["Pipeline:FoldChunkEvents"] = chunkEvents.ToString(CultureInfo.InvariantCulture),
                ["Durable:ActivityConcurrency"] = activities.ToString(CultureInfo.InvariantCulture),
            }
                .Concat(EngineDefaults)
                .ToDictionary()
        );

        Console.WriteLine(
            $"full recompute of each view ({activities} activities at once; GC heap limit "
                + $"{(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 1e6):N0} MB) ..."
        );
        var ours = new Dictionary<string, double>();
        // The engine's activities run in this process, so its working set during a run is theirs.
        long recomputePeak = 0;
        foreach (var view in BuiltInViews.All)
        {
            var seconds = 0.0;
            var (_, _, peak) = await ScaleBenchmark.MeasureAsync(async () =>
                seconds = await RecomputeAsync(runner, view, firstEpoch + Epochs, since: 0)
            );
            ours[view.Name] = seconds;
            recomputePeak = Math.Max(recomputePeak, peak);
            Console.WriteLine($"    peak working set during {view.Name}: {peak / 1e6:N0} MB");
        }

        Console.WriteLine("DuckDB on the local copies ...");
        var duck = await DuckDbPeer.RunAsync(
            copies,
            [
                .. ShippedSpecs.All,
                ViewSpecReader
                    .Read(
                        await File.ReadAllBytesAsync(
                            Path.Combine(DotnetProcess.RepositoryRoot, "examples", "new-users.2.json")
                        )
                    )
                    .Spec!,
            ]
        );

        Console.WriteLine("one more epoch, then incremental and full recomputes of new-users ...");
        await WriteLogAsync(store, null, clock, firstEpoch + Epochs, 1, total / Epochs, sequences);
        await SealAsync(store, clock, firstEpoch + Epochs + 1, sequences);
        var incremental = await RecomputeAsync(
            runner,
            BuiltInViews.NewUsers,
            firstEpoch + Epochs + 1,
            since: firstEpoch + Epochs
        );
        var requests = StorageMetrics.Requests;
        var full = await RecomputeAsync(
            runner,
            BuiltInViews.NewUsers,
            firstEpoch + Epochs + 1,
            since: 0,
            instanceSuffix: ".full"
        );
        var fullRequests = StorageMetrics.Requests - requests;

        Console.WriteLine("replay of new-users v2 (ignores test accounts) from the whole log ...");
        var specs = runner.Services.GetRequiredService<Pipeline.Application.Versions.SpecRegistry>();
        var example = await File.ReadAllBytesAsync(
            Path.Combine(DotnetProcess.RepositoryRoot, "examples", "new-users.2.json")
        );
        _ = (await specs.RegisterAsync("new-users", 2, example)).Result;
        requests = StorageMetrics.Requests;
        var replay = await RecomputeAsync(
            runner,
            await specs.RequireAsync(new ViewVersion("new-users", 2)),
            firstEpoch + Epochs + 1,
            since: 0,
            instanceSuffix: ".replay"
        );
        var replayRequests = StorageMetrics.Requests - requests;
        var logged = total + (total / Epochs);

        Console.WriteLine();
        Console.WriteLine(
            $"| view ({total:N0} events) | pipeline recompute (Azurite) | events/s | DuckDB (local files) | events/s |"
        );
        Console.WriteLine("|---|---|---|---|---|");
        foreach (var view in BuiltInViews.All)
        {
            var d = duck.GetValueOrDefault(view.Name, double.NaN);
            Console.WriteLine(
                $"| {view.Name} | {ours[view.Name]:N1} s | {total / ours[view.Name]:N0} | {d:N1} s | {total / d:N0} |"
            );
        }

        var duckFour = BuiltInViews.All.Sum(v => duck.GetValueOrDefault(v.Name, double.NaN));
        Console.WriteLine(
            $"| all four | {ours.Values.Sum():N1} s | {4.0 * total / ours.Values.Sum():N0} | {duckFour:N1} s | "
                + $"{4.0 * total / duckFour:N0} |"
        );
        Console.WriteLine();
        Console.WriteLine($"| new-users after one more epoch ({total / Epochs:N0} events) | wall time |");
        Console.WriteLine("|---|---|");
        Console.WriteLine($"| incremental (folds the new epoch only) | {incremental:N1} s |");
        Console.WriteLine($"| full (folds all {Epochs + 1} epochs) | {full:N1} s |");
        Console.WriteLine();
        Console.WriteLine($"| whole log ({logged:N0} events) | wall time | events/s | storage requests |");
        Console.WriteLine("|---|---|---|---|");
        Console.WriteLine($"| replay of new-users v2 | {replay:N1} s | {logged / replay:N0} | {replayRequests:N0} |");
        Console.WriteLine($"| full recompute of new-users v1 | {full:N1} s | {logged / full:N0} | {fullRequests:N0} |");
        var duckV2 = duck.GetValueOrDefault("new-users-v2", double.NaN);
        Console.WriteLine(
            $"| DuckDB, new-users v2 ({total:N0} events on local copies) | {duckV2:N1} s | {total / duckV2:N0} | - |"
        );
        Console.WriteLine();
        Console.WriteLine(
            $"peak working set of this process during the four full recomputes (sampled every 10 ms): "
                + $"{recomputePeak / 1e6:N0} MB"
        );
        Directory.Delete(copies, recursive: true);
        return 0;
    }

    /// <summary>
    /// The engine's settings as the dev host has them by default (the test engine's are shorter, for tests that
    /// kill it): with a 5-second visibility timeout, an activity that runs longer than that is taken again by a
    /// second worker while the first still runs.
    /// </summary>
    internal static IEnumerable<KeyValuePair<string, string?>> EngineDefaults
    {
        get
        {
            var defaults = new DurableEngineOptions();
            yield return new("Durable:MaxPollingInterval", Text(defaults.MaxPollingInterval));
            yield return new("Durable:VisibilityTimeout", Text(defaults.VisibilityTimeout));
            yield return new("Durable:LeaseInterval", Text(defaults.LeaseInterval));
            static string Text(TimeSpan value) => value.ToString("c", CultureInfo.InvariantCulture);
        }
    }

    internal static async Task<double> RecomputeAsync(
        EngineHost runner,
        ViewDefinition view,
        long cutoff,
        long since,
        string instanceSuffix = ""
    )
    {
        var id = string.Create(CultureInfo.InvariantCulture, $"bench.{view.Name}.{cutoff}{instanceSuffix}");
        var watch = Stopwatch.StartNew();
        await PipelineOperations.StartAsync(
            runner.Client,
            RecomputeOrchestrator.OrchestratorName,
            id,
            new RecomputeInput(view.Name, view.Version, cutoff, since)
        );
        await runner.WaitAsync(id, TimeSpan.FromHours(1));
        var status = await PipelineOperations.GetAsync(runner.Client, id);
        if (status?.State != OperationState.Completed)
        {
            throw new InvalidOperationException($"recompute of {view.Name} ended {status?.State}: {status?.Error}");
        }

        Console.WriteLine($"  {view.Name}: {watch.Elapsed.TotalSeconds:N1} s, {status.CustomStatus}");
        return watch.Elapsed.TotalSeconds;
    }

    /// <summary>Writes segments like the ingest handler does (same names, format and metadata), and copies them to
    /// disk. Event times are the last two minutes before now, or (<paramref name="timesFollowEpochs"/>) before each
    /// segment's epoch ends.</summary>
    internal static async Task<long> WriteLogAsync(
        PipelineStore store,
        string? copies,
        EpochClock clock,
        long firstEpoch,
        int epochs,
        int events,
        long[] sequences,
        int perSegment = SegmentEvents,
        bool timesFollowEpochs = false
    )
    {
        long written = 0;
        var segments = (events + perSegment - 1) / perSegment;
        var traffic = new LiveTraffic(firstEpoch.GetHashCode());
        var recent = Enumerable.Range(0, Partitions).Select(_ => new Queue<string>()).ToArray();
        await Parallel.ForEachAsync(
            Enumerable.Range(0, segments),
            new ParallelOptions { MaxDegreeOfParallelism = 2 },
            async (segment, ct) =>
            {
                var partition = segment % Partitions;
                var epoch = firstEpoch + (segment * epochs / segments);
                var count = Math.Min(perSegment, events - (segment * perSegment));
                string lines;
                lock (traffic)
                {
                    lines = traffic.NdjsonBatch(
                        count,
                        $"b{firstEpoch}",
                        timesFollowEpochs ? clock.StartOf(epoch + 1).UtcDateTime : null
                    );
                }

                long first;
                lock (sequences)
                {
                    first = sequences[partition];
                    sequences[partition] += count;
                }

                var ndjson = new ArrayBufferWriter<byte>(count * 230);
                var enqueued = clock.StartOf(epoch).AddSeconds(segment % 60);
                var sequence = first;
                foreach (
                    var line in lines
                        .Split('\n', StringSplitOptions.RemoveEmptyEntries)
                        .Select((l, i) => i % 100 == 99 ? Retry(l, recent[partition]) : Remember(l, recent[partition]))
                )
                {
                    RawRecordFormat.Write(ndjson, partition, sequence++, enqueued, Encoding.UTF8.GetBytes(line));
                }

                using var gzip = new MemoryStream();
                await using (var compressor = new GZipStream(gzip, CompressionLevel.Fastest, leaveOpen: true))
                {
                    await compressor.WriteAsync(ndjson.WrittenMemory, ct);
                }

                var name = RawSegments.Name(epoch, partition, first, sequence - 1);
                gzip.Position = 0;
                await store
                    .Raw.GetBlobClient(name)
                    .UploadAsync(
                        gzip,
                        new BlobUploadOptions
                        {
                            Metadata = new Dictionary<string, string>
                            {
                                [RawLogWriter.RecordsMetadata] = count.ToString(CultureInfo.InvariantCulture),
                            },
                        },
                        ct
                    );
                if (copies is not null)
                {
                    var path = Path.Combine(copies, name);
                    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                    await File.WriteAllBytesAsync(path, gzip.ToArray(), ct);
                }

                Interlocked.Add(ref written, gzip.Length);
            }
        );
        return written;
    }

    private static string Remember(string line, Queue<string> recent)
    {
        lock (recent)
        {
            recent.Enqueue(line);
            if (recent.Count > 1000)
            {
                recent.Dequeue();
            }
        }

        return line;
    }

    /// <summary>A producer retry: an earlier event sent again (in this partition's stream, so the same partition
    /// key).</summary>
    private static string Retry(string line, Queue<string> recent)
    {
        lock (recent)
        {
            return recent.Count > 0 ? recent.Peek() : line;
        }
    }

    internal static async Task SealAsync(PipelineStore store, EpochClock clock, long sealedThrough, long[] sequences)
    {
        for (var p = 0; p < Partitions; p++)
        {
            await store.Progress.UpsertEntityAsync(
                new TableEntity("partition", p.ToString("D4", CultureInfo.InvariantCulture))
                {
                    ["LastSequence"] = sequences[p] - 1,
                    ["Watermark"] = clock.StartOf(sealedThrough),
                    ["UpdatedAt"] = DateTimeOffset.UtcNow,
                },
                TableUpdateMode.Replace
            );
        }
    }
}
