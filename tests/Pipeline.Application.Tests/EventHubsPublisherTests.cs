using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Producer;
using Pipeline.Application.Ingest;

namespace Pipeline.Application.Tests;

/// <summary>
/// The Event Hubs publisher against an in-memory producer (no Event Hub runs here): the SDK's model
/// factory makes batches that accept a given number of events, and sends are recorded.
/// </summary>
public class EventHubsPublisherTests
{
    private sealed class RecordingProducer(int eventsPerBatch, int failAfterSends = int.MaxValue)
        : EventHubProducerClient
    {
        private readonly ConcurrentDictionary<EventDataBatch, (string? PartitionKey, List<EventData> Store)> _batches =
            new(ReferenceEqualityComparer.Instance);
        private int _sends;

        public ConcurrentQueue<(string? PartitionKey, List<string> Bodies)> Sends { get; } = new();

        public override ValueTask<EventDataBatch> CreateBatchAsync(
            CreateBatchOptions options,
            CancellationToken cancellationToken = default
        )
        {
            var store = new List<EventData>();
            var batch = EventHubsModelFactory.EventDataBatch(
                1_000_000,
                store,
                options,
                _ => store.Count < eventsPerBatch
            );
            _batches[batch] = (options.PartitionKey, store);
            return ValueTask.FromResult(batch);
        }

        public override Task SendAsync(EventDataBatch eventBatch, CancellationToken cancellationToken = default)
        {
            if (Interlocked.Increment(ref _sends) > failAfterSends)
            {
                throw new EventHubsException(
                    isTransient: true,
                    "events",
                    "busy",
                    EventHubsException.FailureReason.ServiceBusy
                );
            }

            var (key, store) = _batches[eventBatch];
            Sends.Enqueue((key, [.. store.Select(e => e.EventBody.ToString())]));
            return Task.CompletedTask;
        }
    }

    private static ReadOnlyMemory<byte> Event(string id, string? subject) =>
        Encoding.UTF8.GetBytes(
            $$"""{"specversion":"1.0","id":"{{id}}","source":"/t","type":"page.view"{{(subject is null ? "" : $",\"subject\":\"{subject}\"")}}}"""
        );

    [Fact]
    public void Events_AreGroupedByPartitionKey_SubjectElseId_InOrder()
    {
        var groups = EventHubsPublisher.ByPartitionKey([
            Event("a", "user-1"),
            Event("b", null),
            Event("c", "user-1"),
            Encoding.UTF8.GetBytes("not json"),
        ]);

        Assert.Equal(["user-1", "b", null], groups.Select(g => g.Key));
        Assert.Equal(
            [Event("a", "user-1").ToArray(), Event("c", "user-1").ToArray()],
            groups[0].Events.Select(e => e.ToArray())
        );
        Assert.Equal("not json", Encoding.UTF8.GetString(groups[2].Events.Single().Span));
    }

    [Fact]
    public async Task Publish_SendsEachKeysEventsWithTheirPartitionKey_InBatchesTheClientSizes()
    {
        var producer = new RecordingProducer(eventsPerBatch: 2);
        var publisher = new EventHubsPublisher(producer);
        ReadOnlyMemory<byte>[] events =
        [
            Event("a", "user-1"),
            Event("b", "user-2"),
            Event("c", "user-1"),
            Event("d", "user-1"),
            Encoding.UTF8.GetBytes("not json"),
        ];

        var outcome = await publisher.PublishAsync(events, CancellationToken.None);

        Assert.Equal(new PublishOutcome(5, null), outcome);
        var user1 = producer.Sends.Where(s => s.PartitionKey == "user-1").SelectMany(s => s.Bodies).ToList();
        Assert.Equal(
            [
                Encoding.UTF8.GetString(events[0].Span),
                Encoding.UTF8.GetString(events[2].Span),
                Encoding.UTF8.GetString(events[3].Span),
            ],
            user1
        );
        Assert.Equal(2, producer.Sends.Count(s => s.PartitionKey == "user-1"));
        Assert.Single(producer.Sends, s => s.PartitionKey == "user-2");
        Assert.Equal("not json", Assert.Single(producer.Sends, s => s.PartitionKey is null).Bodies.Single());
    }

    [Fact]
    public async Task ABusyHub_AsksToRetry_SayingHowManyWereSent()
    {
        var producer = new RecordingProducer(eventsPerBatch: 10, failAfterSends: 1);
        var publisher = new EventHubsPublisher(producer, maxParallelSends: 1);

        var outcome = await publisher.PublishAsync(
            [Event("a", "user-1"), Event("b", "user-2")],
            CancellationToken.None
        );

        Assert.Equal(1, outcome.Accepted);
        Assert.NotNull(outcome.RetryAfter);
    }

    [Fact]
    public void MissingSettings_AreNamed()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            EventHubsPublisher.FromSettings(name => name == "EventHubName" ? "events" : null)
        );
        Assert.Contains("EventHubConnection__fullyQualifiedNamespace", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<InvalidOperationException>(() =>
            EventHubsPublisher.FromSettings(name =>
                name == EventHubsPublisher.NamespaceSetting ? "ns.servicebus.windows.net" : null
            )
        );
        Assert.Contains("EventHubName", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TriggerBatches_TakeThePartitionFromTheBindingData()
    {
        IncomingEvent[] events = [new(Event("a", "s"), 41, DateTimeOffset.UnixEpoch)];
        Assert.Equal(
            3,
            EventHubTriggerBatch
                .Create(
                    new Dictionary<string, object?>
                    {
                        ["PartitionContext"] =
                            """{"EventHubName":"events","ConsumerGroup":"pipeline","PartitionId":"3"}""",
                    },
                    events
                )
                .Partition
        );
        Assert.Equal(
            5,
            EventHubTriggerBatch
                .Create(
                    new Dictionary<string, object?>
                    {
                        ["partitionContext"] = JsonDocument.Parse("""{"partitionId":"5"}""").RootElement,
                    },
                    events
                )
                .Partition
        );
        var error = Assert.Throws<InvalidOperationException>(() =>
            EventHubTriggerBatch.Create(new Dictionary<string, object?>(), events)
        );
        Assert.Contains("PartitionId", error.Message, StringComparison.Ordinal);
    }
}
