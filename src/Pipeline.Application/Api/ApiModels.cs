using Pipeline.Domain.Epochs;

namespace Pipeline.Application.Api;

/// <summary>A view, its routing and its versions.</summary>
/// <param name="Name">The view name.</param>
/// <param name="ServingVersion">The version that answers callers without an id (the heaviest).</param>
/// <param name="BatchCutoffEpoch">That version's batch cutoff, when a batch view exists.</param>
/// <param name="Weights">The share of callers per version, as <c>1:90,2:10</c>.</param>
/// <param name="Shadow">The version computed in shadow beside served key answers, if any.</param>
/// <param name="Versions">Every registered version and its state.</param>
public sealed record ViewInfo(string Name, int ServingVersion, long? BatchCutoffEpoch, string Weights, int? Shadow, IReadOnlyList<Versions.VersionState> Versions);

/// <summary>One key's answer.</summary>
/// <param name="View">The view.</param>
/// <param name="Key">The key.</param>
/// <param name="Value">The value (null when nothing to report, such as the max of no orders).</param>
/// <param name="Events">How many events contributed.</param>
/// <param name="Provenance">Where the answer came from.</param>
public sealed record ViewAnswer(string View, string Key, decimal? Value, long Events, AnswerProvenance Provenance)
{
    /// <summary>Shapes a merged answer of a version that is (or is not) caught up.</summary>
    public static ViewAnswer From(MergedAnswer answer, Domain.Views.TimeWindow window, bool caughtUp)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var p = answer.Provenance;
        return new ViewAnswer(
            p.View, answer.Key.Format(window), answer.Result.Value, answer.Events,
            new AnswerProvenance(p.ViewVersion, caughtUp, p.BatchCutoffEpoch, p.CoveredByBatch, p.BatchValue, p.BatchEvents, p.Approximate, answer.Result.RelativeStandardError,
                p.SpeedEpochs, p.NewestSpeedEpoch, p.SpeedUpdatedAt, p.EventsTimedByEnqueue));
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
/// <param name="BatchValue">The batch view's part of the value alone (null when it has none); the rest comes from the speed layer.</param>
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
public sealed record QuarantinePage(IReadOnlyList<QuarantineEntry> Items, string? Continuation);

/// <summary>
/// What <c>GET /api/operations/{id}</c> shows: the status, its published progress, and derived from them
/// the events read per second so far and, while folding, the estimated time left (from the raw records
/// read against those planned).
/// </summary>
public sealed record OperationReport(
    string InstanceId, string Orchestrator, Orchestration.OperationState State, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    System.Text.Json.JsonElement? CustomStatus, System.Text.Json.JsonElement? Output, string? Error,
    double? EventsPerSecond, double? EstimatedSecondsLeft)
{
    /// <summary>The report of a status, as of <paramref name="now"/>.</summary>
    public static OperationReport From(Orchestration.OperationStatus status, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(status);
        double? rate = null;
        double? left = null;
        if (status.CustomStatus is { ValueKind: System.Text.Json.JsonValueKind.Object } progress
            && progress.TryGetProperty("eventsRead", out var read) && progress.TryGetProperty("records", out var planned))
        {
            var elapsed = ((status.State == Orchestration.OperationState.Running ? now : status.UpdatedAt) - status.CreatedAt).TotalSeconds;
            rate = elapsed > 0 ? Math.Round(read.GetInt64() / elapsed) : null;
            if (status.State == Orchestration.OperationState.Running && read.GetInt64() > 0 && read.GetInt64() < planned.GetInt64())
            {
                left = Math.Round(elapsed * (planned.GetInt64() - read.GetInt64()) / read.GetInt64(), 1);
            }
        }

        return new OperationReport(status.InstanceId, status.Orchestrator, status.State, status.CreatedAt, status.UpdatedAt,
            status.CustomStatus, status.Output, status.Error, rate, left);
    }
}
