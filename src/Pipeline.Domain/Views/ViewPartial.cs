using Pipeline.Domain.Aggregations;

namespace Pipeline.Domain.Views;

/// <summary>
/// The partial result of one view key: the aggregate state plus how many events went into it and how
/// many of those had no <c>time</c> (their enqueued time placed them), which provenance reports.
/// A monoid like its state: partials merge by adding counters and merging states.
/// </summary>
public sealed class ViewPartial(AggregateState state, long events = 0, long eventsTimedByEnqueue = 0)
{
    /// <summary>The aggregate state.</summary>
    public AggregateState State { get; } = state ?? throw new ArgumentNullException(nameof(state));

    /// <summary>Events that contributed.</summary>
    public long Events { get; private set; } = events;

    /// <summary>Contributing events placed by enqueued time because they had no <c>time</c>.</summary>
    public long EventsTimedByEnqueue { get; private set; } = eventsTimedByEnqueue;

    /// <summary>An empty partial for <paramref name="view"/>.</summary>
    public static ViewPartial Zero(ViewDefinition view)
    {
        ArgumentNullException.ThrowIfNull(view);
        return new(view.Aggregation.Zero());
    }

    /// <summary>Counts one contributing event.</summary>
    public void CountEvent(bool timedByEnqueue)
    {
        Events++;
        if (timedByEnqueue)
        {
            EventsTimedByEnqueue++;
        }
    }

    /// <summary>Merges another partial into this one.</summary>
    public void MergeFrom(ViewPartial other)
    {
        ArgumentNullException.ThrowIfNull(other);
        State.MergeFrom(other.State);
        Events += other.Events;
        EventsTimedByEnqueue += other.EventsTimedByEnqueue;
    }
}
