using System.Text;
using Azure.Core;
using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Producer;
using Pipeline.Storage;

namespace Pipeline.Application.Ingest;

/// <summary>
/// Publishes to a real Event Hub with the SDK's <see cref="EventHubProducerClient"/>: what
/// <c>POST /api/events</c> does in the Functions app (whose Event Hubs trigger then ingests the events),
/// and what <c>pipeline publish --eventhub</c> does. Each event keeps its partition key
/// (<see cref="EventPartitionKey"/>: subject, else id), so a producer retry lands in its original's
/// partition; one key's events go in order, in batches the client sizes. A busy hub asks the caller to
/// retry.
/// </summary>
public sealed class EventHubsPublisher(EventHubProducerClient producer, int maxParallelSends = 16)
    : IEventPublisher,
        IEventHubPartitions,
        IAsyncDisposable
{
    /// <inheritdoc/>
    public async Task<IReadOnlyList<HubPartition>> ListAsync(CancellationToken cancellationToken = default)
    {
        var ids = await producer.GetPartitionIdsAsync(cancellationToken).ConfigureAwait(false);
        var partitions = await Task.WhenAll(
                ids.Select(async id =>
                {
                    var properties = await producer
                        .GetPartitionPropertiesAsync(id, cancellationToken)
                        .ConfigureAwait(false);
                    return new HubPartition(
                        int.Parse(id, System.Globalization.CultureInfo.InvariantCulture),
                        properties.LastEnqueuedSequenceNumber,
                        properties.IsEmpty ? null : properties.LastEnqueuedTime,
                        properties.IsEmpty
                    );
                })
            )
            .ConfigureAwait(false);
        return [.. partitions.OrderBy(p => p.Partition)];
    }

    /// <summary>The Event Hubs namespace host, as the trigger's identity-based connection names it.</summary>
    public const string NamespaceSetting = "EventHubConnection:fullyQualifiedNamespace";

    /// <summary>The hub's name, shared with the trigger.</summary>
    public const string HubSetting = "EventHubName";

    /// <inheritdoc/>
    public (long Bytes, string Setting) MaxRequestBytes => (64L * 1024 * 1024, "the Functions app's publish limit");

    /// <summary>
    /// Reads <c>EventHubConnection__fullyQualifiedNamespace</c>, <c>EventHubName</c> and the connection's
    /// <c>__credential</c> / <c>__clientId</c>, as the trigger does.
    /// </summary>
    /// <exception cref="InvalidOperationException">A setting is missing; the message names it.</exception>
    public static EventHubsPublisher FromSettings(
        Func<string, string?> setting,
        Func<string?, string?, TokenCredential>? credentialFactory = null
    )
    {
        ArgumentNullException.ThrowIfNull(setting);
        var ns = setting(NamespaceSetting);
        var hub = setting(HubSetting);
        if (string.IsNullOrWhiteSpace(ns) || string.IsNullOrWhiteSpace(hub))
        {
            var missing = string.IsNullOrWhiteSpace(ns)
                ? "EventHubConnection__fullyQualifiedNamespace"
                : "EventHubName";
            throw new InvalidOperationException(
                $"Event Hubs is not configured: set '{missing}' (the namespace host, e.g. "
                    + $"NAME.servicebus.windows.net, and the hub's name)."
            );
        }

        var credential = (credentialFactory ?? StorageAccount.CreateCredential)(
            setting("EventHubConnection:credential"),
            setting("EventHubConnection:clientId")
        );
        return new EventHubsPublisher(new EventHubProducerClient(ns.Trim().TrimEnd('/'), hub.Trim(), credential));
    }

    /// <inheritdoc/>
    public async Task<PublishOutcome> PublishAsync(
        IReadOnlyList<ReadOnlyMemory<byte>> events,
        CancellationToken cancellationToken
    )
    {
        ArgumentNullException.ThrowIfNull(events);
        var sent = 0;
        try
        {
            await Parallel
                .ForEachAsync(
                    ByPartitionKey(events),
                    new ParallelOptions
                    {
                        MaxDegreeOfParallelism = maxParallelSends,
                        CancellationToken = cancellationToken,
                    },
                    async (group, ct) =>
                        Interlocked.Add(ref sent, await SendAsync(group.Key, group.Events, ct).ConfigureAwait(false))
                )
                .ConfigureAwait(false);
        }
        catch (EventHubsException ex)
            when (ex.Reason
                    is EventHubsException.FailureReason.ServiceBusy
                        or EventHubsException.FailureReason.QuotaExceeded
            )
        {
            // What was sent stays sent: the caller's retry sends it again, and ingest drops producer retries.
            return new PublishOutcome(sent, null, TimeSpan.FromSeconds(1));
        }

        return new PublishOutcome(sent, null);
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => producer.DisposeAsync();

    /// <summary>The events grouped by partition key, in order within a key; events without one (malformed) under a null
    /// key.</summary>
    internal static List<(string? Key, List<ReadOnlyMemory<byte>> Events)> ByPartitionKey(
        IReadOnlyList<ReadOnlyMemory<byte>> events
    )
    {
        var groups = new List<(string? Key, List<ReadOnlyMemory<byte>> Events)>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        List<ReadOnlyMemory<byte>>? keyless = null;
        foreach (var body in events)
        {
            var key = EventPartitionKey.Of(body.Span);
            if (key.Length == body.Length)
            {
                // Neither subject nor id: malformed, so any partition will do; ingest quarantines it there.
                (keyless ??= []).Add(body);
                continue;
            }

            var text = Encoding.UTF8.GetString(key);
            if (!index.TryGetValue(text, out var at))
            {
                index[text] = at = groups.Count;
                groups.Add((text, []));
            }

            groups[at].Events.Add(body);
        }

        if (keyless is not null)
        {
            groups.Add((null, keyless));
        }

        return groups;
    }

    /// <summary>Sends one key's events in order, in as few batches as the client's size limit allows.</summary>
    private async Task<int> SendAsync(
        string? partitionKey,
        List<ReadOnlyMemory<byte>> events,
        CancellationToken cancellationToken
    )
    {
        var options = new CreateBatchOptions { PartitionKey = partitionKey };
        var sent = 0;
        var batch = await producer.CreateBatchAsync(options, cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var body in events)
            {
                var data = new EventData(body) { ContentType = "application/cloudevents+json" };
                if (batch.TryAdd(data))
                {
                    continue;
                }

                if (batch.Count > 0)
                {
                    await producer.SendAsync(batch, cancellationToken).ConfigureAwait(false);
                    sent += batch.Count;
                    batch.Dispose();
                    batch = await producer.CreateBatchAsync(options, cancellationToken).ConfigureAwait(false);
                }

                if (!batch.TryAdd(data))
                {
                    throw new InvalidOperationException(
                        $"an event of {body.Length:N0} bytes is larger than an Event Hubs batch may be "
                            + $"({batch.MaximumSizeInBytes:N0} bytes)"
                    );
                }
            }

            if (batch.Count > 0)
            {
                await producer.SendAsync(batch, cancellationToken).ConfigureAwait(false);
                sent += batch.Count;
            }
        }
        finally
        {
            batch.Dispose();
        }

        return sent;
    }
}
