using Pipeline.Domain.Aggregations;
using Pipeline.Domain.Views;

namespace Pipeline.Domain.Epochs;

/// <summary>What the batch layer holds for one key: the view version's cutoff and the key's partial.</summary>
/// <param name="ViewVersion">The view version the batch view was built with.</param>
/// <param name="CutoffEpoch">The batch view holds exactly the events of epochs below this.</param>
/// <param name="Partial">The key's partial, or null when the batch view has no events for the key.</param>
public sealed record BatchContribution(int ViewVersion, long CutoffEpoch, ViewPartial? Partial);

/// <summary>What the speed layer holds for one key in one ingestion epoch.</summary>
/// <param name="Epoch">The ingestion epoch.</param>
/// <param name="Partial">The key's partial for that epoch.</param>
/// <param name="UpdatedAt">When the speed layer last changed this partial.</param>
public sealed record SpeedContribution(long Epoch, ViewPartial Partial, DateTimeOffset UpdatedAt);

/// <summary>Where an answer came from.</summary>
/// <param name="View">The view name.</param>
/// <param name="ViewVersion">The view version that served it.</param>
/// <param name="BatchCutoffEpoch">The batch cutoff epoch, or null when no batch view exists yet.</param>
/// <param name="CoveredByBatch">True when the batch view alone produced the answer (no speed data at or after the
/// cutoff).</param>
/// <param name="Approximate">True when an estimate (HyperLogLog) contributed.</param>
/// <param name="SpeedEpochs">How many speed epochs contributed.</param>
/// <param name="NewestSpeedEpoch">The newest contributing speed epoch.</param>
/// <param name="SpeedUpdatedAt">When the freshest contributing speed partial was written.</param>
/// <param name="EventsTimedByEnqueue">Counted events that had no <c>time</c> and were placed by their enqueued
/// time.</param>
/// <param name="BatchValue">The batch view's value for the key alone (null without a batch view or batch data for the
/// key).</param>
/// <param name="BatchEvents">How many of the events the batch view counted.</param>
public sealed record Provenance(
    string View,
    int ViewVersion,
    long? BatchCutoffEpoch,
    bool CoveredByBatch,
    bool Approximate,
    int SpeedEpochs,
    long? NewestSpeedEpoch,
    DateTimeOffset? SpeedUpdatedAt,
    long EventsTimedByEnqueue,
    decimal? BatchValue = null,
    long BatchEvents = 0
);

/// <summary>One key's answer.</summary>
/// <param name="Key">The key.</param>
/// <param name="Result">The value.</param>
/// <param name="Events">How many events contributed.</param>
/// <param name="Provenance">Where it came from.</param>
/// <param name="Parts">Each aggregate's answer by name (null for a view defined in code, not by a spec).</param>
public sealed record MergedAnswer(
    ViewKey Key,
    AggregateResult Result,
    long Events,
    Provenance Provenance,
    IReadOnlyList<PartAnswer>? Parts = null
);

/// <summary>One aggregate's answer.</summary>
/// <param name="Name">The aggregate's name.</param>
/// <param name="Result">Its value.</param>
/// <param name="Skipped">Events it skipped because it could not use their value.</param>
/// <param name="BatchValue">The batch view's part of the value alone (null when it has none).</param>
public sealed record PartAnswer(string Name, AggregateResult Result, long Skipped, decimal? BatchValue);

/// <summary>
/// The serving-layer merge: batch(E) ⊕ speed(epochs ≥ E). Speed partials of epochs below the cutoff are
/// already inside the batch view and are ignored, so nothing is counted twice and nothing is missed,
/// whatever the event time of late events.
/// </summary>
public static class ServingMerge
{
    /// <summary>Merges one key's batch and speed contributions.</summary>
    public static MergedAnswer Merge(
        ViewDefinition view,
        ViewKey key,
        BatchContribution? batch,
        IEnumerable<SpeedContribution> speed
    )
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(speed);
        var total = ViewPartial.Zero(view);
        decimal? batchValue = null;
        if (batch?.Partial is { } batchPartial)
        {
            total.MergeFrom(batchPartial);
            batchValue = batchPartial.State.Result.Value;
        }

        var cutoff = batch?.CutoffEpoch ?? long.MinValue;
        var speedEpochs = 0;
        long? newestEpoch = null;
        DateTimeOffset? updatedAt = null;
        foreach (var contribution in speed)
        {
            if (contribution.Epoch < cutoff || contribution.Partial.IsEmpty)
            {
                continue;
            }

            total.MergeFrom(contribution.Partial);
            speedEpochs++;
            newestEpoch = Math.Max(newestEpoch ?? long.MinValue, contribution.Epoch);
            updatedAt = updatedAt is { } seen && seen > contribution.UpdatedAt ? seen : contribution.UpdatedAt;
        }

        var result = total.State.Result;
        var provenance = new Provenance(
            view.Name,
            batch?.ViewVersion ?? view.Version,
            batch?.CutoffEpoch,
            CoveredByBatch: batch is not null && speedEpochs == 0,
            result.IsApproximate,
            speedEpochs,
            newestEpoch,
            updatedAt,
            total.EventsTimedByEnqueue,
            batchValue,
            batch?.Partial?.Events ?? 0
        );
        return new MergedAnswer(key, result, total.Events, provenance, PartsOf(view, total, batch?.Partial));
    }

    /// <summary>Each aggregate's answer (a view of one aggregate declared by a spec has one; a view defined in code
    /// none).</summary>
    public static IReadOnlyList<PartAnswer>? PartsOf(ViewDefinition view, ViewPartial total, ViewPartial? batch)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(total);
        if (view.Aggregation.Parts is not { } parts || total.State is not CompositeState state)
        {
            // A view of one aggregate: its one part, named as its spec names it.
            return view.AggregateName is { } name
                ? [new PartAnswer(name, total.State.Result, total.Skipped, batch?.State.Result.Value)]
                : null;
        }

        var inBatch = batch?.State as CompositeState;
        return
        [
            .. parts.Select(
                (part, i) =>
                    new PartAnswer(part.Name, state.Parts[i].Result, state.Skipped[i], inBatch?.Parts[i].Result.Value)
            ),
        ];
    }
}
