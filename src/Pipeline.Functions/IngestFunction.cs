using Azure.Messaging.EventHubs;
using Microsoft.Azure.Functions.Worker;
using Pipeline.Application.Ingest;

namespace Pipeline.Functions;

/// <summary>
/// The Event Hubs trigger: each batch of one partition goes to the ingest handler, which makes every
/// effect idempotent. A failure throws, so the host's retry policy (host.json) redelivers the batch
/// before checkpointing past it.
/// </summary>
public sealed class IngestFunction(IngestHandler ingest)
{
    [Function("ingest")]
    public Task IngestAsync(
        [EventHubTrigger(
            "%EventHubName%",
            Connection = "EventHubConnection",
            ConsumerGroup = "%EventHubConsumerGroup%",
            IsBatched = true
        )]
            EventData[] events,
        FunctionContext context
    ) =>
        ingest.IngestAsync(
            EventHubTriggerBatch.Create(
                context.BindingContext.BindingData,
                [.. events.Select(e => new IncomingEvent(e.EventBody.ToMemory(), e.SequenceNumber, e.EnqueuedTime))]
            ),
            context.CancellationToken
        );
}
