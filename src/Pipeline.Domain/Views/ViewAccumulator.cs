using System.Runtime.InteropServices;
using Pipeline.Domain.Events;

namespace Pipeline.Domain.Views;

/// <summary>
/// Folds events into per-key partials of one view: the pre-aggregation both layers use, so storage
/// work grows with distinct keys, not with events.
/// </summary>
public sealed class ViewAccumulator(ViewDefinition view)
{
    private readonly Dictionary<ViewKey, ViewPartial> _partials = [];
    private readonly DimensionInterner _interner = new();

    // Consecutive events usually share a key (the same day or hour): remembering the last one skips
    // most dictionary lookups.
    private ViewKey _lastKey;
    private ViewPartial? _lastPartial;

    /// <summary>The view being folded.</summary>
    public ViewDefinition View { get; } = view ?? throw new ArgumentNullException(nameof(view));

    /// <summary>The partials by key.</summary>
    public IReadOnlyDictionary<ViewKey, ViewPartial> Partials => _partials;

    /// <summary>Adds one event; returns whether it contributed to the view.</summary>
    public bool Add(in CloudEvent cloudEvent)
    {
        if (!View.TryGetKey(cloudEvent, _interner, out var key))
        {
            return false;
        }

        var partial = _lastPartial is not null && _lastKey == key ? _lastPartial : PartialFor(key);
        if (!View.Aggregation.Add(partial.State, cloudEvent))
        {
            if (View.ValueField is { } field && field.HasValue(cloudEvent))
            {
                partial.CountSkipped();
            }
            else if (partial.IsEmpty)
            {
                _partials.Remove(key);
                _lastPartial = null;
            }

            return false;
        }

        partial.CountEvent(cloudEvent.TimeIsEnqueuedTime);
        return true;
    }

    private ViewPartial PartialFor(ViewKey key)
    {
        ref var partial = ref CollectionsMarshal.GetValueRefOrAddDefault(_partials, key, out _);
        partial ??= ViewPartial.Zero(View);
        _lastKey = key;
        _lastPartial = partial;
        return partial;
    }

    /// <summary>Merges a partial for <paramref name="key"/> into this accumulator.</summary>
    public void Merge(ViewKey key, ViewPartial partial)
    {
        ArgumentNullException.ThrowIfNull(partial);
        ref var mine = ref CollectionsMarshal.GetValueRefOrAddDefault(_partials, key, out _);
        mine ??= ViewPartial.Zero(View);
        mine.MergeFrom(partial);
    }

    /// <summary>Merges every partial of another accumulator of the same view.</summary>
    public void MergeFrom(ViewAccumulator other)
    {
        ArgumentNullException.ThrowIfNull(other);
        foreach (var (key, partial) in other._partials)
        {
            Merge(key, partial);
        }
    }

    /// <summary>Forgets every partial, keeping the interned dimensions for the next batch.</summary>
    public void Clear()
    {
        _partials.Clear();
        _lastPartial = null;
    }
}
