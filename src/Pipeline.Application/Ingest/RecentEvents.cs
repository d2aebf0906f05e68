using System.Runtime.InteropServices;
using Pipeline.Domain.Epochs;

namespace Pipeline.Application.Ingest;

/// <summary>
/// One partition's memory of recent event identities, to drop producer retries: an event whose
/// (source, id) was first seen at a smaller sequence number, at most the dedup window earlier in
/// enqueued time, is a retry. Keeping the first sequence number (not just "seen") means that a
/// redelivery of the same event is never mistaken for a retry of itself.
/// </summary>
internal sealed class RecentEvents(TimeSpan window)
{
    private readonly Dictionary<EventIdentity, (long Sequence, long EnqueuedTicks)> _firstSeen = [];
    private long _evictedUpTo;

    public int Count => _firstSeen.Count;

    /// <summary>Records the event and says whether it re-sends an earlier one.</summary>
    public bool IsRetry(EventIdentity identity, long sequence, DateTimeOffset enqueued)
    {
        ref var first = ref CollectionsMarshal.GetValueRefOrAddDefault(_firstSeen, identity, out var seen);
        if (!seen || sequence < first.Sequence)
        {
            first = (sequence, enqueued.UtcTicks);
            return false;
        }

        return sequence != first.Sequence && enqueued.UtcTicks - first.EnqueuedTicks <= window.Ticks;
    }

    /// <summary>Forgets identities older than the window before <paramref name="watermark"/> (at most once per quarter
    /// window).</summary>
    public void Evict(DateTimeOffset watermark)
    {
        var horizon = watermark.UtcTicks - window.Ticks;
        if (horizon - _evictedUpTo < Math.Max(window.Ticks / 4, TimeSpan.TicksPerSecond))
        {
            return;
        }

        foreach (var (identity, first) in _firstSeen)
        {
            if (first.EnqueuedTicks < horizon)
            {
                _firstSeen.Remove(identity);
            }
        }

        _evictedUpTo = horizon;
    }
}
