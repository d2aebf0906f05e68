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
/// <param name="Kind">What disagrees: <c>batch</c> (batch row against the log) or <c>serving</c> (a batch-covered answer against the log).</param>
/// <param name="FromLog">The value recomputed from the raw log.</param>
/// <param name="Found">The value found in the batch view or served.</param>
public sealed record AuditMismatch(string Key, string Kind, decimal? FromLog, decimal? Found);

/// <summary>How far approximate answers (HyperLogLog beyond the exact range) were from the exact values.</summary>
/// <param name="Answers">Approximate answers compared.</param>
/// <param name="MeanRelativeError">Their mean relative error.</param>
/// <param name="MaxRelativeError">Their largest relative error.</param>
public sealed record ApproximationError(int Answers, double MeanRelativeError, double MaxRelativeError);

/// <summary>An audit's findings.</summary>
public sealed record AuditReport(
    string Audit, string View, int Version, long? Cutoff, bool Clean, int KeysChecked, long EventsRead,
    IReadOnlyList<AuditMismatch> Mismatches, IReadOnlyList<LogShortfall> Shortfalls, ApproximationError? Approximation,
    DateTimeOffset StartedAt, DateTimeOffset FinishedAt, string? Problem = null);
