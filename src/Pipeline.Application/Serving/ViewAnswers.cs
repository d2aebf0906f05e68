using Pipeline.Domain.Epochs;

namespace Pipeline.Application.Serving;

/// <summary>One key's answer.</summary>
/// <param name="View">The view.</param>
/// <param name="Key">The key.</param>
/// <param name="Value">The value (null when nothing to report, such as the max of no orders).</param>
/// <param name="Events">How many events contributed.</param>
/// <param name="Provenance">Where the answer came from.</param>
/// <param name="Values">Every aggregate's value by name.</param>
/// <param name="Skipped">How many events each aggregate skipped (a value it could not use), by name.</param>
public sealed record ViewAnswer(
    string View,
    string Key,
    decimal? Value,
    long Events,
    AnswerProvenance Provenance,
    IReadOnlyDictionary<string, decimal?>? Values = null,
    IReadOnlyDictionary<string, long>? Skipped = null
)
{
    /// <summary>Shapes a merged answer of a version that is (or is not) caught up.</summary>
    public static ViewAnswer From(MergedAnswer answer, Domain.Views.TimeWindow window, bool caughtUp)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var p = answer.Provenance;
        return new ViewAnswer(
            p.View,
            answer.Key.Format(window),
            answer.Result.Value,
            answer.Events,
            new AnswerProvenance(
                p.ViewVersion,
                caughtUp,
                p.BatchCutoffEpoch,
                p.CoveredByBatch,
                p.BatchValue,
                p.BatchEvents,
                p.Approximate,
                answer.Result.RelativeStandardError,
                p.SpeedEpochs,
                p.NewestSpeedEpoch,
                p.SpeedUpdatedAt,
                p.EventsTimedByEnqueue
            )
            {
                BatchValues = answer.Parts?.ToDictionary(
                    part => part.Name,
                    part => part.BatchValue,
                    StringComparer.Ordinal
                ),
            },
            answer.Parts?.ToDictionary(part => part.Name, part => part.Result.Value, StringComparer.Ordinal),
            answer.Parts?.ToDictionary(part => part.Name, part => part.Skipped, StringComparer.Ordinal)
        );
    }
}

/// <summary>Where an answer came from.</summary>
/// <param name="ViewVersion">The view version that served it.</param>
/// <param name="CaughtUp">
/// False when that version is not caught up (registered, or dropped, after the log began, with no batch view
/// past that point): the answer then lacks the events from before, until a replay of the version.
/// </param>
/// <param name="BatchCutoffEpoch">The batch view's cutoff epoch, or null when there is no batch view yet.</param>
/// <param name="CoveredByBatch">True when the batch view alone produced the answer.</param>
/// <param name="BatchValue">The batch view's part of the value alone (null when it has none); the rest comes from the
/// speed layer.</param>
/// <param name="BatchEvents">How many of the events the batch view counted.</param>
/// <param name="Approximate">True when an estimate contributed.</param>
/// <param name="RelativeStandardError">The estimate's relative standard error, when approximate.</param>
/// <param name="SpeedEpochs">How many speed epochs contributed.</param>
/// <param name="NewestSpeedEpoch">The newest contributing speed epoch.</param>
/// <param name="SpeedUpdatedAt">When the freshest contributing speed data was written.</param>
/// <param name="EventsTimedByEnqueue">Counted events without a <c>time</c>, placed by their enqueued time.</param>
public sealed record AnswerProvenance(
    int ViewVersion,
    bool CaughtUp,
    long? BatchCutoffEpoch,
    bool CoveredByBatch,
    decimal? BatchValue,
    long BatchEvents,
    bool Approximate,
    double? RelativeStandardError,
    int SpeedEpochs,
    long? NewestSpeedEpoch,
    DateTimeOffset? SpeedUpdatedAt,
    long EventsTimedByEnqueue
)
{
    /// <summary>Each aggregate's batch part alone, by name.</summary>
    public IReadOnlyDictionary<string, decimal?>? BatchValues { get; init; }
}

/// <summary>A window range's answers.</summary>
/// <param name="View">The view.</param>
/// <param name="From">The first key.</param>
/// <param name="To">The last key.</param>
/// <param name="Keys">One answer per window that has data, in window order.</param>
public sealed record RangeAnswer(string View, string From, string To, IReadOnlyList<ViewAnswer> Keys);
