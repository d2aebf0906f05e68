using Pipeline.Domain.Epochs;

namespace Pipeline.Application.Api;

/// <summary>One version of a view, as <c>GET /api/views</c> lists it.</summary>
/// <param name="Version">The version.</param>
/// <param name="Aggregation">The aggregation, such as <c>count</c>.</param>
/// <param name="Filter">Which events it takes.</param>
/// <param name="KeyFormat">The key format.</param>
/// <param name="Description">What it answers.</param>
/// <param name="Status">Its state.</param>
public sealed record ViewVersionInfo(int Version, string Aggregation, string Filter, string KeyFormat, string Description, string Status);

/// <summary>A view and its versions.</summary>
/// <param name="Name">The view name.</param>
/// <param name="ServingVersion">The version that answers queries.</param>
/// <param name="BatchCutoffEpoch">The serving version's batch cutoff, when a batch view exists.</param>
/// <param name="Versions">Every registered version.</param>
public sealed record ViewInfo(string Name, int ServingVersion, long? BatchCutoffEpoch, IReadOnlyList<ViewVersionInfo> Versions);

/// <summary>One key's answer.</summary>
/// <param name="View">The view.</param>
/// <param name="Key">The key.</param>
/// <param name="Value">The value (null when nothing to report, such as the max of no orders).</param>
/// <param name="Events">How many events contributed.</param>
/// <param name="Provenance">Where the answer came from.</param>
public sealed record ViewAnswer(string View, string Key, decimal? Value, long Events, AnswerProvenance Provenance)
{
    /// <summary>Shapes a merged answer.</summary>
    public static ViewAnswer From(MergedAnswer answer, Domain.Views.TimeWindow window)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var p = answer.Provenance;
        return new ViewAnswer(
            p.View, answer.Key.Format(window), answer.Result.Value, answer.Events,
            new AnswerProvenance(p.ViewVersion, p.BatchCutoffEpoch, p.CoveredByBatch, p.Approximate, answer.Result.RelativeStandardError,
                p.SpeedEpochs, p.NewestSpeedEpoch, p.SpeedUpdatedAt, p.EventsTimedByEnqueue));
    }
}

/// <summary>Where an answer came from.</summary>
/// <param name="ViewVersion">The view version that served it.</param>
/// <param name="BatchCutoffEpoch">The batch view's cutoff epoch, or null when there is no batch view yet.</param>
/// <param name="CoveredByBatch">True when the batch view alone produced the answer.</param>
/// <param name="Approximate">True when an estimate contributed.</param>
/// <param name="RelativeStandardError">The estimate's relative standard error, when approximate.</param>
/// <param name="SpeedEpochs">How many speed epochs contributed.</param>
/// <param name="NewestSpeedEpoch">The newest contributing speed epoch.</param>
/// <param name="SpeedUpdatedAt">When the freshest contributing speed data was written.</param>
/// <param name="EventsTimedByEnqueue">Counted events without a <c>time</c>, placed by their enqueued time.</param>
public sealed record AnswerProvenance(
    int ViewVersion,
    long? BatchCutoffEpoch,
    bool CoveredByBatch,
    bool Approximate,
    double? RelativeStandardError,
    int SpeedEpochs,
    long? NewestSpeedEpoch,
    DateTimeOffset? SpeedUpdatedAt,
    long EventsTimedByEnqueue);

/// <summary>A window range's answers.</summary>
/// <param name="View">The view.</param>
/// <param name="From">The first key.</param>
/// <param name="To">The last key.</param>
/// <param name="Keys">One answer per window that has data, in window order.</param>
public sealed record RangeAnswer(string View, string From, string To, IReadOnlyList<ViewAnswer> Keys);

/// <summary>A page of quarantined events.</summary>
/// <param name="Items">The events.</param>
/// <param name="Continuation">Pass as <c>continuation</c> for the next page; null on the last.</param>
public sealed record QuarantinePage(IReadOnlyList<Ingest.QuarantinedEvent> Items, string? Continuation);
