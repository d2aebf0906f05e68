using Pipeline.Domain.Aggregations;

namespace Pipeline.Domain.Views;

/// <summary>
/// The partial result of one view key: the aggregate state plus how many events went into it, how
/// many of those had no <c>time</c> (their enqueued time placed them), which provenance reports, and, for a
/// view of one aggregate, how many events the key would have taken but the aggregate could not use their value.
/// A monoid like its state: partials merge by adding counters and merging states.
/// </summary>
public sealed class ViewPartial(AggregateState state, long events = 0, long eventsTimedByEnqueue = 0, long skipped = 0)
{
    /// <summary>The aggregate state.</summary>
    public AggregateState State { get; } = state ?? throw new ArgumentNullException(nameof(state));

    /// <summary>Events that contributed.</summary>
    public long Events { get; private set; } = events;

    /// <summary>Contributing events placed by enqueued time because they had no <c>time</c>.</summary>
    public long EventsTimedByEnqueue { get; private set; } = eventsTimedByEnqueue;

    /// <summary>Events of the key whose value the view's one aggregate could not use (a view of several counts them
    /// per aggregate, in its state).</summary>
    public long Skipped { get; private set; } = skipped;

    /// <summary>True when no event contributed and none was skipped.</summary>
    public bool IsEmpty => Events == 0 && Skipped == 0;

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

    /// <summary>Counts one event whose value the aggregate could not use.</summary>
    public void CountSkipped() => Skipped++;

    /// <summary>Merges another partial into this one.</summary>
    public void MergeFrom(ViewPartial other)
    {
        ArgumentNullException.ThrowIfNull(other);
        State.MergeFrom(other.State);
        Events += other.Events;
        EventsTimedByEnqueue += other.EventsTimedByEnqueue;
        Skipped += other.Skipped;
    }
}
