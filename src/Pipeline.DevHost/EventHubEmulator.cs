using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Pipeline.Application.Ingest;
using Pipeline.Domain.Hashing;

namespace Pipeline.DevHost;

/// <summary>
/// The dev host's stand-in for Event Hubs: partitions by key hash, queues per partition, and a pump per
/// partition; it answers what Event Hubs answers of its partitions (their last enqueued events), and nothing
/// more, so sealing works on it exactly as on Event Hubs.
/// </summary>
internal sealed partial class EventHubEmulator
    : IHostedService,
        IEventPublisher,
        IPartitionBacklog,
        IEventHubPartitions,
        IDisposable
{
    private readonly EmulatorOptions _options;
    private readonly PartitionPump[] _pumps;

    // The round-robin position: each event goes to the partition after the previous one's.
    private int _nextPartition = -1;
    private readonly ILogger<EventHubEmulator> _logger;

    public EventHubEmulator(
        IOptions<EmulatorOptions> options,
        IServiceProvider services,
        ILogger<EventHubEmulator> logger
    )
    {
        _options = options.Value;
        _logger = logger;
        _pumps =
        [
            .. Enumerable
                .Range(0, _options.Partitions)
                .Select(p => ActivatorUtilities.CreateInstance<PartitionPump>(services, p)),
        ];
    }

    public (long Bytes, string Setting) MaxRequestBytes => (_options.MaxRequestBytes, "DevHost:MaxRequestBytes");

    public void Dispose()
    {
        foreach (var pump in _pumps)
        {
            pump.Dispose();
        }
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<HubPartition>> ListAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<HubPartition>>([.. _pumps.Select(p => p.Properties())]);

    /// <summary>Publishes and waits until the events are durable and applied; when a queue is full, asks to retry in a
    /// second.</summary>
    public async Task<PublishOutcome> PublishAsync(
        IReadOnlyList<ReadOnlyMemory<byte>> events,
        CancellationToken cancellationToken
    )
    {
        if (Publish(events) is not { } completion)
        {
            return new PublishOutcome(0, 0, TimeSpan.FromSeconds(1));
        }

        var (accepted, quarantined) = await completion.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new PublishOutcome(accepted, quarantined);
    }

    /// <summary>
    /// Queues events for ingest and returns a task that completes when they are durable and applied;
    /// or null, without queuing anything, when a partition's queue is full.
    /// </summary>
    public Task<(int Accepted, int Quarantined)>? Publish(IReadOnlyList<ReadOnlyMemory<byte>> events)
    {
        var byPartition = new List<ReadOnlyMemory<byte>>[_pumps.Length];
        var roundRobin = _options.Partitioning == "round-robin";
        foreach (var body in events)
        {
            var partition = roundRobin
                ? (int)((uint)Interlocked.Increment(ref _nextPartition) % (uint)_pumps.Length)
                : (int)(
                    System.IO.Hashing.XxHash64.HashToUInt64(EventPartitionKey.Of(body.Span)) % (ulong)_pumps.Length
                );
            (byPartition[partition] ??= []).Add(body);
        }

        var reserved = new List<(PartitionPump Pump, int Count)>();
        for (var p = 0; p < _pumps.Length; p++)
        {
            if (byPartition[p] is { } share)
            {
                if (!_pumps[p].TryReserve(share.Count))
                {
                    foreach (var (pump, count) in reserved)
                    {
                        pump.Release(count);
                    }

                    return null;
                }

                reserved.Add((_pumps[p], share.Count));
            }
        }

        var request = new PublishRequest(reserved.Count);
        if (reserved.Count == 0)
        {
            return Task.FromResult((0, 0));
        }

        for (var p = 0; p < _pumps.Length; p++)
        {
            if (byPartition[p] is { } share)
            {
                _pumps[p].Enqueue(new PartitionSlice(request, share));
            }
        }

        return request.Completion;
    }

    public IReadOnlyDictionary<int, long> Queued() =>
        _pumps.Select((pump, partition) => (partition, pump.Queued)).ToDictionary(p => p.partition, p => p.Queued);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await Task.WhenAll(_pumps.Select(p => p.StartAsync(cancellationToken)));
        LogStarted(_pumps.Length);
    }

    /// <summary>Drains: every accepted event is ingested before the host stops.</summary>
    public async Task StopAsync(CancellationToken cancellationToken) =>
        await Task.WhenAll(_pumps.Select(p => p.StopAsync(cancellationToken)));

    [LoggerMessage(Level = LogLevel.Information, Message = "Event Hubs emulation ready with {Partitions} partitions")]
    private partial void LogStarted(int partitions);
}

/// <summary>Registration of the emulator.</summary>
internal static class EventHubEmulatorRegistration
{
    /// <summary>The path at which the emulation answers what Event Hubs answers of its partitions, for other
    /// hosts.</summary>
    public const string PartitionsPath = "/emulator/partitions";

    /// <summary>
    /// The emulated event hub: this host's own (the default), or, when <c>DevHost:EventHubs</c> names another
    /// dev host, that one's, which this host publishes to and asks about partitions over HTTP, as an instance
    /// in Azure asks Event Hubs: the emulated hub has one owner, and any number of hosts share storage.
    /// </summary>
    public static IServiceCollection AddEventHubEmulator(this IServiceCollection services, IConfiguration configuration)
    {
        services
            .AddOptions<EmulatorOptions>()
            .Bind(configuration.GetSection(EmulatorOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        if (configuration[RemoteEventHub.Setting] is { Length: > 0 } owner)
        {
            var remote = RemoteEventHub.For(owner);
            services.AddSingleton<IEventPublisher>(remote);
            services.AddSingleton<IEventHubPartitions>(remote);
            return services;
        }

        services.AddSingleton<EventHubEmulator>();
        services.AddSingleton<IEventPublisher>(sp => sp.GetRequiredService<EventHubEmulator>());
        services.AddSingleton<IPartitionBacklog>(sp => sp.GetRequiredService<EventHubEmulator>());
        services.AddSingleton<IEventHubPartitions>(sp => sp.GetRequiredService<EventHubEmulator>());
        services.AddHostedService(sp => sp.GetRequiredService<EventHubEmulator>());
        return services;
    }

    /// <summary>Answers <see cref="PartitionsPath"/> when this host owns the emulated hub.</summary>
    public static void MapEmulatorPartitions(this WebApplication app)
    {
        if (app.Services.GetService<EventHubEmulator>() is { } emulator)
        {
            app.MapGet(
                PartitionsPath,
                async (CancellationToken cancellationToken) =>
                    Results.Json(await emulator.ListAsync(cancellationToken), Application.ApiJson.Options)
            );
        }
    }
}
