using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Azure.Core;
using Azure.Core.Pipeline;
using Pipeline.Application.Ingest;

namespace Pipeline.Application.Tests;

/// <summary>The Functions app's publisher against an in-process Event Hubs REST endpoint (tokens need https).</summary>
public class EventHubsPublisherTests
{
    private sealed class HubHandler(params HttpStatusCode[] statuses) : HttpMessageHandler
    {
        private int _calls;

        public ConcurrentQueue<(Uri Uri, string? Authorization, string? ContentType, JsonElement Body)> Sends { get; } = new();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = JsonDocument.Parse(await request.Content!.ReadAsStringAsync(cancellationToken)).RootElement.Clone();
            Sends.Enqueue((request.RequestUri!, request.Headers.Authorization?.ToString(), request.Content.Headers.ContentType?.MediaType, body));
            var status = statuses[Math.Min(Interlocked.Increment(ref _calls) - 1, statuses.Length - 1)];
            var response = new HttpResponseMessage(status) { Content = new ByteArrayContent([]) };
            if (status == HttpStatusCode.ServiceUnavailable)
            {
                response.Headers.TryAddWithoutValidation("Retry-After", "7");
            }

            return response;
        }
    }

    private sealed class FakeCredential : TokenCredential
    {
        public List<string> Scopes { get; } = [];

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            Scopes.AddRange(requestContext.Scopes);
            return new AccessToken("hub-token", DateTimeOffset.UtcNow.AddHours(1));
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }

    private static ReadOnlyMemory<byte> Event(string id, string? subject) => Encoding.UTF8.GetBytes(
        $$"""{"specversion":"1.0","id":"{{id}}","source":"/t","type":"page.view"{{(subject is null ? "" : $",\"subject\":\"{subject}\"")}}}""");

    [Fact]
    public async Task Publish_SendsOneBatchWithPartitionKeys_AndAnEntraTokenForEventHubs()
    {
        using var handler = new HubHandler(HttpStatusCode.Created);
        var credential = new FakeCredential();
        var publisher = new EventHubsRestPublisher(new Uri("https://ns.servicebus.windows.net/events"), credential, new HttpClientTransport(handler));

        var outcome = await publisher.PublishAsync([Event("a", "user-1"), Event("b", null), Encoding.UTF8.GetBytes("not json")], CancellationToken.None);

        Assert.Equal(new PublishOutcome(3, null), outcome);
        var send = Assert.Single(handler.Sends);
        Assert.Equal("https://ns.servicebus.windows.net/events/messages?timeout=60&api-version=2014-01", send.Uri.ToString());
        Assert.Equal("Bearer hub-token", send.Authorization);
        Assert.Equal("application/vnd.microsoft.servicebus.json", send.ContentType);
        Assert.Equal(["https://eventhubs.azure.net/.default"], credential.Scopes.Distinct());
        var messages = send.Body.EnumerateArray().ToList();
        Assert.Equal("user-1", messages[0].GetProperty("BrokerProperties").GetProperty("PartitionKey").GetString());
        Assert.Equal("b", messages[1].GetProperty("BrokerProperties").GetProperty("PartitionKey").GetString());
        Assert.False(messages[2].TryGetProperty("BrokerProperties", out _));
        Assert.Equal("not json", messages[2].GetProperty("Body").GetString());
        Assert.Equal(Encoding.UTF8.GetString(Event("a", "user-1").Span), messages[0].GetProperty("Body").GetString());
    }

    [Fact]
    public async Task ALargePublish_IsSplitUnderTheBatchLimit_AndABusyHubAsksToRetry()
    {
        var padding = new string('x', 10_000);
        var events = Enumerable.Range(0, 250).Select(i => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes($$"""{"id":"e{{i}}","subject":"s{{i}}","data":"{{padding}}"}""")).ToList();
        using var handler = new HubHandler(HttpStatusCode.Created, HttpStatusCode.ServiceUnavailable);
        var publisher = new EventHubsRestPublisher(new Uri("https://ns.servicebus.windows.net/events"), new FakeCredential(), new HttpClientTransport(handler), maxRetries: 0);

        var outcome = await publisher.PublishAsync(events, CancellationToken.None);

        Assert.All(EventHubsRestPublisher.Sends(events), send => Assert.True(send.Body.Length <= EventHubsRestPublisher.MaxSendBytes));
        Assert.Equal(events.Count, EventHubsRestPublisher.Sends(events).Sum(s => s.Count));
        Assert.Equal(2, handler.Sends.Count);
        var first = handler.Sends.First().Body.GetArrayLength();
        Assert.Equal(new PublishOutcome(first, null, TimeSpan.FromSeconds(7)), outcome);
    }

    [Fact]
    public void MissingSettings_AreNamed()
    {
        var error = Assert.Throws<InvalidOperationException>(() => EventHubsRestPublisher.FromSettings(name => name == "EventHubName" ? "events" : null));
        Assert.Contains("EventHubConnection__fullyQualifiedNamespace", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<InvalidOperationException>(() => EventHubsRestPublisher.FromSettings(name => name == EventHubsRestPublisher.NamespaceSetting ? "ns.servicebus.windows.net" : null));
        Assert.Contains("EventHubName", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TriggerBatches_TakeThePartitionFromTheBindingData()
    {
        IncomingEvent[] events = [new(Event("a", "s"), 41, DateTimeOffset.UnixEpoch)];
        Assert.Equal(3, EventHubTriggerBatch.Create(new Dictionary<string, object?> { ["PartitionContext"] = """{"EventHubName":"events","ConsumerGroup":"pipeline","PartitionId":"3"}""" }, events).Partition);
        Assert.Equal(5, EventHubTriggerBatch.Create(new Dictionary<string, object?> { ["partitionContext"] = JsonDocument.Parse("""{"partitionId":"5"}""").RootElement }, events).Partition);
        var error = Assert.Throws<InvalidOperationException>(() => EventHubTriggerBatch.Create(new Dictionary<string, object?>(), events));
        Assert.Contains("PartitionId", error.Message, StringComparison.Ordinal);
    }
}
