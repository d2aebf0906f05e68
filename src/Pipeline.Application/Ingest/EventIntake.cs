using Pipeline.Application.Outcomes;

namespace Pipeline.Application.Ingest;

/// <summary>How many of a publish's events were accepted and, where ingest has already run, quarantined.</summary>
/// <param name="Accepted">Events accepted.</param>
/// <param name="Quarantined">Of those, events quarantined (null when ingest happens later, as behind a real Event
/// Hub).</param>
public sealed record PublishCounts(int Accepted, int? Quarantined);

/// <summary>
/// <c>POST /api/events</c>: splits a body (a JSON array of events or NDJSON) into events and hands them to the
/// host's publisher (the dev host's Event Hubs emulation, or a real Event Hub). A body that is neither is
/// refused with nothing published; a full pipeline asks the caller to retry after a while.
/// </summary>
public sealed class EventIntake(IEventPublisher publisher)
{
    /// <summary>The largest body accepted, in bytes, and the setting that says so.</summary>
    public (long Bytes, string Setting) MaxBodyBytes => publisher.MaxRequestBytes;

    /// <summary>Publishes the events of a body.</summary>
    public async Task<Outcome<PublishCounts>> PublishAsync(
        ReadOnlyMemory<byte> body,
        CancellationToken cancellationToken = default
    )
    {
        if (!EventBodySplitter.TrySplit(body, out var events, out var error))
        {
            return Outcome<PublishCounts>.Invalid(error);
        }

        var outcome = await publisher.PublishAsync(events, cancellationToken).ConfigureAwait(false);
        return outcome.RetryAfter is { } delay
            ? Outcome<PublishCounts>.Unavailable(
                "the ingest queues are full; retry after the delay in Retry-After",
                delay
            )
            : Outcome<PublishCounts>.Accepted(new PublishCounts(outcome.Accepted, outcome.Quarantined));
    }
}
