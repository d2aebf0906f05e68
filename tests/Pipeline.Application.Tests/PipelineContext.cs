using System.Globalization;
using System.Text;
using Azure.Data.Tables;
using Microsoft.DurableTask;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Application.Configuration;
using Pipeline.Application.Ingest;
using Pipeline.Application.RawLog;
using Pipeline.Application.Serving;
using Pipeline.Application.Storage;
using Pipeline.Domain.Views;
using Pipeline.Testing;

namespace Pipeline.Application.Tests;

/// <summary>
/// A pipeline on its own tables and containers in the shared Azurite, built by the composition root both
/// hosts use, on a fake clock that tests move (it starts at <see cref="Start"/>); with helpers to ingest and
/// ask, and, once asked for, the Durable Task engine on its own task hub running its batch layer on the same
/// clock.
/// </summary>
internal sealed class PipelineContext : IAsyncDisposable
{
    private static int _counter;
    private readonly AzuriteFixture _azurite;
    private readonly Dictionary<string, string?> _settings;
    private EngineHost? _engine;

    private PipelineContext(AzuriteFixture azurite, Dictionary<string, string?> settings, FakeTimeProvider? time = null)
    {
        Time = time ?? new(Start.AddMinutes(-1));
        _azurite = azurite;
        _settings = settings;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection()
            .AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance)
            .AddSingleton(typeof(ILogger<>), typeof(NullLogger<>))
            .AddPipeline(configuration)
            .AddSingleton<TimeProvider>(Time)
            .AddSingleton<IEventHubPartitions>(sp => new TestEventHub(sp.GetRequiredService<ProgressStore>()));
        Services = services.BuildServiceProvider();
        Options = Services.GetRequiredService<IOptions<PipelineOptions>>().Value;
        Store = Services.GetRequiredService<PipelineStore>();
        Progress = Services.GetRequiredService<ProgressStore>();
        Pointers = Services.GetRequiredService<Batch.PointerStore>();
        Registry = Services.GetRequiredService<ViewRegistry>();
        Hub = (TestEventHub)Services.GetRequiredService<IEventHubPartitions>();
        Queries = new ViewQueryService(Store, Pointers, Registry, Time, pointerLifetime: TimeSpan.Zero);
    }

    /// <summary>Test events are enqueued from here on; the fake clock starts a minute before.</summary>
    public static readonly DateTimeOffset Start = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    /// <summary>The clock of every service of this pipeline, the engine's included.</summary>
    public FakeTimeProvider Time { get; }

    /// <summary>The pipeline's services, as a host process would have them.</summary>
    public ServiceProvider Services { get; }

    public PipelineOptions Options { get; }

    public PipelineStore Store { get; }

    public ProgressStore Progress { get; }

    /// <summary>Answers with no pointer caching, so a commit is seen at once.</summary>
    public ViewQueryService Queries { get; }

    public Batch.PointerStore Pointers { get; }

    public ViewRegistry Registry { get; }

    /// <summary>The event hub as this test plays it: what was ingested, and what the test declares.</summary>
    public TestEventHub Hub { get; }

    public static async Task<PipelineContext> CreateAsync(
        AzuriteFixture azurite,
        TimeSpan? epoch = null,
        TimeSpan? dedupWindow = null,
        long? foldChunkEvents = null,
        string? connectionString = null,
        IReadOnlyDictionary<string, string?>? settings = null
    )
    {
        var configured = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = connectionString ?? azurite.ConnectionString,
            ["Pipeline:StoragePrefix"] = $"t{Environment.ProcessId % 10000}x{Interlocked.Increment(ref _counter)}",
            ["Pipeline:EpochLength"] = (epoch ?? TimeSpan.FromMinutes(1)).ToString("c", CultureInfo.InvariantCulture),
            ["Pipeline:DedupWindow"] = (dedupWindow ?? TimeSpan.FromMinutes(15)).ToString(
                "c",
                CultureInfo.InvariantCulture
            ),
            ["Pipeline:FoldChunkEvents"] = (foldChunkEvents ?? Batch.RecomputeInput.DefaultChunkEvents).ToString(
                CultureInfo.InvariantCulture
            ),
            ["Pipeline:AuditInterval"] = "00:00:00",
        };
        foreach (var (name, value) in settings ?? new Dictionary<string, string?>())
        {
            configured[name] = value;
        }

        var context = new PipelineContext(azurite, configured);
        await context.Store.EnsureCreatedAsync();
        return context;
    }

    /// <summary>A new handler: a fresh process's view of the same storage (with another set of views, if
    /// given).</summary>
    public IngestHandler NewHandler(ViewRegistry? registry = null) =>
        registry is null
            ? ActivatorUtilities.CreateInstance<IngestHandler>(Services)
            : ActivatorUtilities.CreateInstance<IngestHandler>(Services, registry);

    /// <summary>Another process of this pipeline: its own services on the same storage, on the same clock.</summary>
    public PipelineContext OtherProcess() => new(_azurite, _settings, Time);

    /// <summary>One of this pipeline's services.</summary>
    public T Get<T>()
        where T : notnull => Services.GetRequiredService<T>();

    public static string Event(
        string id,
        string type,
        string subject,
        int day,
        string? data = null,
        string source = "/test"
    ) =>
        $$"""{"specversion":"1.0","id":"{{id}}","source":"{{source}}","type":"{{type}}","subject":"{{subject}}","time":"2026-11-{{18 + day:D2}}T10:00:00Z"{{(data is null ? "" : ",\"data\":" + data)}}}""";

    /// <summary>A sign-up of <paramref name="subject"/> timed on <paramref name="day"/>, at <paramref name="sequence"/>,
    /// enqueued <paramref name="seconds"/> after <see cref="Start"/>.</summary>
    public static IncomingEvent Signup(
        string id,
        string subject,
        int day,
        long sequence,
        double seconds,
        string? data = null
    ) => new(Encoding.UTF8.GetBytes(Event(id, "user.signup", subject, day, data)), sequence, Start.AddSeconds(seconds));

    /// <summary>Events at consecutive sequence numbers from <paramref name="first"/>, enqueued one second apart from
    /// <see cref="Start"/>.</summary>
    public static IncomingEvent[] Incoming(IEnumerable<string> bodies, long first = 0) =>
        [
            .. bodies.Select(
                (body, i) => new IncomingEvent(Encoding.UTF8.GetBytes(body), first + i, Start.AddSeconds(first + i))
            ),
        ];

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
        [
            .. (await Store.Speed.QueryAsync<TableEntity>().ToListAsync()).Select(e =>
                $"{e.PartitionKey}/{e.RowKey} {e.ETag} {e.GetInt64("Events")} {e.GetInt64("LastSequence")}"
            ),
        ];

    public async Task<List<string>> RawSegmentsAsync() =>
        [.. (await Store.Raw.GetBlobsAsync().ToListAsync()).Select(b => b.Name)];

    /// <summary>
    /// The engine of this pipeline, started on first use with the context's settings and clock, and
    /// <paramref name="tasks"/> (default: the pipeline's). Versions not registered yet are registered as from
    /// before the log began (the host would register them at the current epoch, while these tests' events are
    /// enqueued from <see cref="Start"/>).
    /// </summary>
    public async Task<EngineHost> EngineAsync(Action<DurableTaskRegistry>? tasks = null)
    {
        if (_engine is null)
        {
            foreach (var view in Registry.All)
            {
                await Get<Versions.VersionStore>().RegisterAsync(view.Spec!, 0, live: false);
            }

            _engine = await EngineHost.StartAsync(
                _azurite.ConnectionString,
                Options.StoragePrefix,
                tasks,
                services => services.AddSingleton<TimeProvider>(Time).AddSingleton<IEventHubPartitions>(Hub),
                _settings
            );
        }

        return _engine;
    }

    public async ValueTask DisposeAsync()
    {
        if (_engine is not null)
        {
            await _engine.DisposeAsync();
        }

        await Services.DisposeAsync();
    }

    public static string Day(int day) =>
        new DateTime(2026, 11, 18 + day).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
