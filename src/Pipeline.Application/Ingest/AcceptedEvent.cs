using Pipeline.Domain.Epochs;
using Pipeline.Domain.Events;

namespace Pipeline.Application.Ingest;

/// <summary>A valid event of a batch with its position, epoch and identity.</summary>
/// <param name="Event">The parsed event (slices of the incoming body).</param>
/// <param name="SequenceNumber">Its sequence number.</param>
/// <param name="EnqueuedTime">Its enqueued time.</param>
/// <param name="Epoch">Its ingestion epoch.</param>
/// <param name="Identity">Its (source, id) identity.</param>
internal sealed record AcceptedEvent(
    CloudEvent Event,
    long SequenceNumber,
    DateTimeOffset EnqueuedTime,
    long Epoch,
    EventIdentity Identity
)
{
    /// <summary>True when the speed layer must skip it as a producer retry.</summary>
    public bool IsProducerRetry { get; set; }
}
