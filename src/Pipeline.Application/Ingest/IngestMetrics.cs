using System.Collections.Concurrent;
using Pipeline.Domain.Events;

namespace Pipeline.Application.Ingest;

/// <summary>
/// What this process ingested lately: events accepted and quarantined per <see cref="BucketSeconds"/>-second
/// bucket over the last <see cref="Buckets"/> buckets, and quarantine reasons with counts since it started.
/// Counting is two interlocked adds per batch, nothing per event.
/// </summary>
public sealed class IngestMetrics(TimeProvider time)
{
    /// <summary>The length of one bucket.</summary>
    public const int BucketSeconds = 10;

    /// <summary>How many buckets are kept (five minutes).</summary>
    public const int Buckets = 30;

    private readonly TimeProvider _time = time;
    private readonly long[] _slot = new long[Buckets];
    private readonly long[] _accepted = new long[Buckets];
    private readonly long[] _quarantined = new long[Buckets];
    private readonly ConcurrentDictionary<RejectionReason, long> _reasons = new();
    private readonly ConcurrentDictionary<RejectionReason, DateTimeOffset> _lastSeen = new();

    /// <summary>Counts one ingested batch.</summary>
    public void Record(int accepted, IReadOnlyList<RejectionReason> quarantined)
    {
        ArgumentNullException.ThrowIfNull(quarantined);
        var now = _time.GetUtcNow();
        var slot = now.ToUnixTimeSeconds() / BucketSeconds;
        var index = (int)(slot % Buckets);
        lock (_slot)
        {
            if (_slot[index] != slot)
            {
                (_slot[index], _accepted[index], _quarantined[index]) = (slot, 0, 0);
            }

            _accepted[index] += accepted;
            _quarantined[index] += quarantined.Count;
        }

        foreach (var reason in quarantined)
        {
            _reasons.AddOrUpdate(reason, 1, (_, n) => n + 1);
            _lastSeen[reason] = now;
        }
    }

    /// <summary>The last five minutes, oldest bucket first, and the reasons, newest first.</summary>
    public IngestRates Snapshot()
    {
        var now = _time.GetUtcNow();
        var current = now.ToUnixTimeSeconds() / BucketSeconds;
        var buckets = new List<IngestBucket>(Buckets);
        lock (_slot)
        {
            for (var slot = current - Buckets + 1; slot <= current; slot++)
            {
                var index = (int)(slot % Buckets);
                var live = _slot[index] == slot;
                buckets.Add(
                    new IngestBucket(
                        DateTimeOffset.FromUnixTimeSeconds(slot * BucketSeconds),
                        live ? _accepted[index] : 0,
                        live ? _quarantined[index] : 0
                    )
                );
            }
        }

        var reasons = _reasons
            .Select(r => new QuarantineReasonCount(r.Key.ToString(), r.Value, _lastSeen.GetValueOrDefault(r.Key)))
            .OrderByDescending(r => r.LastSeen)
            .ToList();
        return new IngestRates(BucketSeconds, buckets, reasons);
    }
}

/// <summary>Events accepted and quarantined in one bucket starting at <paramref name="Start"/>.</summary>
public sealed record IngestBucket(DateTimeOffset Start, long Accepted, long Quarantined);

/// <summary>A quarantine reason, how often this process saw it, and when last.</summary>
public sealed record QuarantineReasonCount(string Reason, long Count, DateTimeOffset LastSeen);

/// <summary>This process's recent ingest.</summary>
public sealed record IngestRates(
    int BucketSeconds,
    IReadOnlyList<IngestBucket> Buckets,
    IReadOnlyList<QuarantineReasonCount> QuarantineReasons
);
