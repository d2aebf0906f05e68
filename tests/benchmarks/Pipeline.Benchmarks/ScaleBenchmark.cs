using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using Azure.Storage.Blobs.Models;
using Pipeline.Application.Batch;
using Pipeline.Application.Configuration;
using Pipeline.Application.RawLog;
using Pipeline.Application.Storage;
using Pipeline.Azurite;
using Pipeline.Domain.Epochs;
using Pipeline.Domain.Views;
using Pipeline.Storage;
using Pipeline.Testing;

namespace Pipeline.Benchmarks;

/// <summary>
/// Does an incremental recompute cost the same however long the history? The same epoch size with 10, 100 and
/// 1,000 epochs of history (event times following the epochs, so days of keys accumulate): after one more epoch,
/// the incremental recompute's wall time, storage requests and peak working set; then one late event whose event
/// time is a month back, and what that run writes.
/// </summary>
internal static class ScaleBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var perEpoch = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2_000;
        int[] histories =
            args.Length > 1
                ? [.. args[1].Split(',').Select(h => int.Parse(h, CultureInfo.InvariantCulture))]
                : [10, 100, 1000];
        ViewDefinition[] views =
            args.Length > 2
                ? [.. args[2].Split(',').Select(name => BuiltInViews.All.Single(v => v.Name == name))]
                : [BuiltInViews.NewUsers, BuiltInViews.PageViews];
        await using var azurite = await AzuriteProcess.StartAsync();
        var lines = new List<string>();
        foreach (var epochs in histories)
        {
            Console.WriteLine($"{epochs} epochs of {perEpoch:N0} events ...");
            var options = new PipelineOptions
            {
                EpochLength = TimeSpan.FromHours(1),
                StoragePrefix = string.Create(CultureInfo.InvariantCulture, $"scale{epochs}"),
            };
            var store = new PipelineStore(StorageAccount.FromConnectionString(azurite.ConnectionString), options);
            await store.EnsureCreatedAsync();
            var clock = new EpochClock(options.EpochLength);
            var first = clock.EpochOf(DateTimeOffset.UtcNow) - epochs - 3;
            var sequences = new long[RecomputeBenchmark.Partitions];
            var perSegment = perEpoch / RecomputeBenchmark.Partitions;
            await RecomputeBenchmark.WriteLogAsync(
                store,
                null,
                clock,
                first,
                epochs,
                perEpoch * epochs,
                sequences,
                perSegment,
                timesFollowEpochs: true
            );
            await RecomputeBenchmark.SealAsync(store, clock, first + epochs, sequences);
            await using var runner = await EngineHost.StartAsync(
                azurite.ConnectionString,
                options.StoragePrefix,
                settings: new Dictionary<string, string?>
                {
                    ["Pipeline:EpochLength"] = options.EpochLength.ToString("c", CultureInfo.InvariantCulture),
                }
                    .Concat(RecomputeBenchmark.EngineDefaults)
                    .ToDictionary()
            );
            foreach (var view in views)
            {
                await RecomputeBenchmark.RecomputeAsync(runner, view, first + epochs, since: 0);
            }

            await RecomputeBenchmark.WriteLogAsync(
                store,
                null,
                clock,
                first + epochs,
                1,
                perEpoch,
                sequences,
                perSegment,
                timesFollowEpochs: true
            );
            await RecomputeBenchmark.SealAsync(store, clock, first + epochs + 1, sequences);
            foreach (var view in views)
            {
                var (seconds, requests, peak) = await MeasureAsync(() =>
                    RecomputeBenchmark.RecomputeAsync(runner, view, first + epochs + 1, since: first + epochs)
                );
                lines.Add(Line(epochs, view, "one more epoch", seconds, requests, peak, await PointerOf(store, view)));
            }

            // Two late events: enqueued in the next epoch, their event time a month before the log's end.
            await WriteLateEventAsync(store, clock, first + epochs + 1, sequences);
            await RecomputeBenchmark.SealAsync(store, clock, first + epochs + 2, sequences);
            foreach (var view in views)
            {
                var (seconds, requests, peak) = await MeasureAsync(() =>
                    RecomputeBenchmark.RecomputeAsync(runner, view, first + epochs + 2, since: first + epochs + 1)
                );
                var pointer = await PointerOf(store, view);
                lines.Add(Line(epochs, view, "two late events (a month back)", seconds, requests, peak, pointer));
            }
        }

        Console.WriteLine();
        Console.WriteLine(
            "| epochs of history | view | run | wall time | fold / write | storage requests | peak working set "
                + "| rows written (days) | rows served |"
        );
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        lines.ForEach(Console.WriteLine);
        return 0;
    }

    private static async Task<BatchPointer> PointerOf(PipelineStore store, ViewDefinition view) =>
        (await new PointerStore(store).GetAsync(view.Id))!;

    private static string Line(
        int epochs,
        ViewDefinition view,
        string run,
        double seconds,
        long requests,
        long peak,
        BatchPointer pointer
    ) =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"| {epochs:N0} | {view.Name} | {run} | {seconds:N2} s | {pointer.Timings!.FoldSeconds:N2} / "
                + $"{pointer.Timings.WriteSeconds:N2} s | {requests:N0} | {peak / 1e6:N0} MB | "
                + $"{pointer.Timings.RowsWritten:N0} ({pointer.Timings.DaysWritten:N0}) | {pointer.Rows:N0} |"
        );

    /// <summary>Wall time, storage requests and the process's peak working set (sampled every 10 ms) of a
    /// run.</summary>
    internal static async Task<(double Seconds, long Requests, long PeakWorkingSet)> MeasureAsync(Func<Task> run)
    {
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        long peak = 0;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                process.Refresh();
                peak = Math.Max(peak, process.WorkingSet64);
                await Task.Delay(10, CancellationToken.None);
            }
        });
        var requests = StorageMetrics.Requests;
        var watch = Stopwatch.StartNew();
        await run();
        var seconds = watch.Elapsed.TotalSeconds;
        requests = StorageMetrics.Requests - requests;
        await stop.CancelAsync();
        await sampler;
        return (seconds, requests, peak);
    }

    /// <summary>Two late events (a sign-up and a page view, so that each view has one) in one segment.</summary>
    private static async Task WriteLateEventAsync(PipelineStore store, EpochClock clock, long epoch, long[] sequences)
    {
        var time = clock.StartOf(epoch).AddDays(-30);
        var ndjson = new ArrayBufferWriter<byte>();
        var first = sequences[0];
        foreach (
            var (type, data) in new[] { ("user.signup", """{"plan":"free"}"""), ("page.view", """{"page":"/p/7"}""") }
        )
        {
            var body = Encoding.UTF8.GetBytes(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $$$"""{"specversion":"1.0","id":"late-{{{epoch}}}-{{{type}}}","source":"/bench","type":"{{{type}}}","subject":"user-late","time":"{{{time:yyyy-MM-ddTHH:mm:ss.fffZ}}}","data":{{{data}}}}"""
                )
            );
            RawRecordFormat.Write(ndjson, 0, sequences[0]++, clock.StartOf(epoch).AddSeconds(1), body);
        }

        var sequence = first;
        using var gzip = new MemoryStream();
        await using (var compressor = new GZipStream(gzip, CompressionLevel.Fastest, leaveOpen: true))
        {
            await compressor.WriteAsync(ndjson.WrittenMemory);
        }

        gzip.Position = 0;
        await store
            .Raw.GetBlobClient(RawSegments.Name(epoch, 0, sequence, sequence + 1))
            .UploadAsync(
                gzip,
                new BlobUploadOptions
                {
                    Metadata = new Dictionary<string, string> { [RawLogWriter.RecordsMetadata] = "2" },
                }
            );
    }
}
