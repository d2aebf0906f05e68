namespace Pipeline.Application.Audit;

/// <summary>What an audit checks: a view version, optionally a window range, optionally a sample of keys.</summary>
/// <param name="View">The view.</param>
/// <param name="Version">The version.</param>
/// <param name="From">The first window to check (a key), or every window.</param>
/// <param name="To">The last window to check (a key), or every window.</param>
/// <param name="Sample">How many keys to check (chosen by a hash of the key, so repeatable), or every key.</param>
/// <param name="Audit">The audit's id.</param>
public sealed record AuditRequest(string View, int Version, string? From, string? To, int? Sample, string Audit);

/// <summary>One key whose answers disagree.</summary>
/// <param name="Key">The key.</param>
/// <param name="Kind">What disagrees: <c>batch</c> (batch row against the log), <c>serving</c> (a batch-covered answer
/// against the log) or <c>speed</c> (what the speed layer had said for retired epochs against the log's events of those
/// epochs).</param>
/// <param name="FromLog">The value recomputed from the raw log.</param>
/// <param name="Found">The value found in the batch view or served.</param>
/// <param name="Aggregate">For a view of several aggregates, which one disagrees (<c>revenue</c>), or whose count of
/// skipped events does (<c>revenue skipped</c>); for a view of one, null, or <c>skipped</c> for its skipped
/// count.</param>
public sealed record AuditMismatch(string Key, string Kind, decimal? FromLog, decimal? Found, string? Aggregate = null);

/// <summary>How far the speed layer's estimates (HyperLogLog beyond the exact range) were from the exact
/// values.</summary>
/// <param name="Answers">Approximate answers compared.</param>
/// <param name="MeanRelativeError">Their mean relative error.</param>
/// <param name="MaxRelativeError">Their largest relative error.</param>
public sealed record ApproximationError(int Answers, double MeanRelativeError, double MaxRelativeError);

/// <summary>What the speed layer had said for retired epochs, against the raw log's events of the same
/// epochs.</summary>
/// <param name="FromEpoch">The first epoch compared.</param>
/// <param name="UntilEpoch">Epochs below this one were compared.</param>
/// <param name="Mismatches">Keys whose exact speed answer differed (listed among the report's mismatches as
/// <c>speed</c>).</param>
/// <param name="Approximation">The error of the speed layer's estimates, or null when it made none.</param>
public sealed record SpeedComparison(
    long FromEpoch,
    long UntilEpoch,
    int Mismatches,
    ApproximationError? Approximation
);

/// <summary>An audit's findings.</summary>
/// <remarks><see cref="Speed"/> is null until the speed layer of the version has retired rows below the
/// cutoff.</remarks>
public sealed record AuditReport(
    string Audit,
    string View,
    int Version,
    long? Cutoff,
    bool Clean,
    int KeysChecked,
    long EventsRead,
    IReadOnlyList<AuditMismatch> Mismatches,
    IReadOnlyList<LogShortfall> Shortfalls,
    SpeedComparison? Speed,
    DateTimeOffset StartedAt,
    DateTimeOffset FinishedAt,
    string? Problem = null
);
