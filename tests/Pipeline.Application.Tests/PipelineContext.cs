using System.Globalization;
using System.Text;
using Azure.Data.Tables;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Pipeline.Application.Configuration;
using Pipeline.Application.Ingest;
using Pipeline.Application.Serving;
using Pipeline.Application.Storage;
using Pipeline.Domain.Views;
using Pipeline.Storage.Tables;
using Pipeline.Testing;

namespace Pipeline.Application.Tests;

/// <summary>
/// A pipeline on its own tables and containers in the shared Azurite, with helpers to ingest and ask, and,
/// once asked for, the Durable Task engine on its own task hub running its batch layer.
/// </summary>
internal sealed class PipelineContext : IAsyncDisposable
{
    private static int _counter;
    private readonly AzuriteFixture _azurite;
    private EngineHost? _engine;

    private PipelineContext(AzuriteFixture azurite, PipelineOptions options)
    {
        _azurite = azurite;
        Options = options;
        Store = new PipelineStore(azurite.Account, options);
        Progress = new ProgressStore(Store);
        Pointers = new Batch.PointerStore(Store);
        Queries = new ViewQueryService(Store, Pointers, ViewRegistry.BuiltIn(), pointerLifetime: TimeSpan.Zero);
    }

    public PipelineOptions Options { get; }

    public PipelineStore Store { get; }

    public ProgressStore Progress { get; }

    public ViewQueryService Queries { get; }

    public Batch.PointerStore Pointers { get; }

    public static readonly DateTimeOffset Start = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    public static async Task<PipelineContext> CreateAsync(AzuriteFixture azurite, TimeSpan? epoch = null, TimeSpan? dedupWindow = null, long? foldChunkEvents = null)
    {
        var options = new PipelineOptions
        {
            StoragePrefix = $"t{Environment.ProcessId % 10000}x{Interlocked.Increment(ref _counter)}",
            EpochLength = epoch ?? TimeSpan.FromMinutes(1),
            DedupWindow = dedupWindow ?? TimeSpan.FromMinutes(15),
            FoldChunkEvents = foldChunkEvents ?? Batch.RecomputeInput.DefaultChunkEvents,
        };
        var context = new PipelineContext(azurite, options);
        await context.Store.EnsureCreatedAsync();
        return context;
    }

    /// <summary>A new handler: a fresh process's view of the same storage.</summary>
    public IngestHandler NewHandler() => new(Store, Progress, ViewRegistry.BuiltIn(), Microsoft.Extensions.Options.Options.Create(Options), NullLoggerFactory.Instance);

    public static string Event(string id, string type, string subject, int day, string? data = null, string source = "/test") =>
        $$"""{"specversion":"1.0","id":"{{id}}","source":"{{source}}","type":"{{type}}","subject":"{{subject}}","time":"2026-11-{{18 + day:D2}}T10:00:00Z"{{(data is null ? "" : ",\"data\":" + data)}}}""";

    /// <summary>Events at consecutive sequence numbers from <paramref name="first"/>, enqueued one second apart from <see cref="Start"/>.</summary>
    public static IncomingEvent[] Incoming(IEnumerable<string> bodies, long first = 0) =>
        [.. bodies.Select((body, i) => new IncomingEvent(Encoding.UTF8.GetBytes(body), first + i, Start.AddSeconds(first + i)))];

    public async Task<decimal?> ValueAsync(ViewDefinition view, string key)
    {
        Assert.True(view.TryParseKey(key, out var parsed, out var error), error);
        return (await Queries.QueryKeyAsync(view, parsed)).Result.Value;
    }

    public async Task<(decimal? Value, long Events)> AnswerAsync(ViewDefinition view, string key)
    {
        Assert.True(view.TryParseKey(key, out var parsed, out var error), error);
        var answer = await Queries.QueryKeyAsync(view, parsed);
        return (answer.Result.Value, answer.Events);
    }

    /// <summary>Every speed row with its ETag: equal snapshots mean nothing was written in between.</summary>
    public async Task<List<string>> SpeedSnapshotAsync() =>
        [.. (await Store.Speed.QueryAsync<TableEntity>().ToListAsync()).Select(e => $"{e.PartitionKey}/{e.RowKey} {e.ETag} {e.GetInt64("Events")} {e.GetInt64("LastSequence")}")];

    public async Task<List<string>> RawSegmentsAsync() => [.. (await Store.Raw.GetBlobsAsync().ToListAsync()).Select(b => b.Name)];

    /// <summary>
    /// The engine of this pipeline, started on first use with the context's settings and <paramref name="tasks"/>
    /// (default: the pipeline's); <paramref name="extraVersions"/> registers view versions as the setting does.
    /// Versions not registered yet are registered as from before the log began (the host would register them
    /// at today's epoch, while these tests' events are timed at <see cref="Start"/>).
    /// </summary>
    public async Task<EngineHost> EngineAsync(Action<DurableTaskRegistry>? tasks = null, string extraVersions = "")
    {
        if (_engine is null)
        {
            foreach (var view in BuiltInViews.With(extraVersions))
            {
                await new Versions.VersionStore(Store).RegisterAsync(view.Name, view.Version, 0);
            }

            _engine = await StartEngineAsync(tasks, extraVersions);
        }

        return _engine;
    }

    private Task<EngineHost> StartEngineAsync(Action<DurableTaskRegistry>? tasks, string extraVersions) =>
        EngineHost.StartAsync(_azurite.ConnectionString, Options.StoragePrefix, tasks, settings: new Dictionary<string, string?>
        {
            ["Pipeline:EpochLength"] = Options.EpochLength.ToString("c", CultureInfo.InvariantCulture),
            ["Pipeline:DedupWindow"] = Options.DedupWindow.ToString("c", CultureInfo.InvariantCulture),
            ["Pipeline:FoldChunkEvents"] = Options.FoldChunkEvents.ToString(CultureInfo.InvariantCulture),
            ["Pipeline:ExtraVersions"] = extraVersions,
        });

    public async ValueTask DisposeAsync()
    {
        if (_engine is not null)
        {
            await _engine.DisposeAsync();
        }
    }

    public static string Day(int day) => new DateTime(2026, 11, 18 + day).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
