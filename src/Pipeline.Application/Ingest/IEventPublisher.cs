namespace Pipeline.Application.Ingest;

/// <summary>
/// Where <c>POST /api/events</c> sends events: the dev host's Event Hubs emulation, or a real Event Hub
/// (whose trigger then ingests them).
/// </summary>
public interface IEventPublisher
{
    /// <summary>The largest request body accepted, in bytes, and the setting that says so.</summary>
    (long Bytes, string Setting) MaxRequestBytes { get; }

    /// <summary>Publishes UTF-8 JSON events; the outcome says how many were accepted, or when to retry.</summary>
    Task<PublishOutcome> PublishAsync(IReadOnlyList<ReadOnlyMemory<byte>> events, CancellationToken cancellationToken);
}

/// <summary>What a publish achieved.</summary>
/// <param name="Accepted">Events accepted.</param>
/// <param name="Quarantined">Of those, events already quarantined (null when ingest happens later, as behind a real
/// Event Hub).</param>
/// <param name="RetryAfter">Set when nothing was accepted because the pipeline is full.</param>
public sealed record PublishOutcome(int Accepted, int? Quarantined, TimeSpan? RetryAfter = null);
