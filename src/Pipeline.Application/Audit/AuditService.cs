using System.Text;
using Pipeline.Application.Batch;
using Pipeline.Application.Serving;
using Pipeline.Application.Storage;
using Pipeline.Domain.Epochs;
using Pipeline.Domain.Hashing;
using Pipeline.Domain.Views;
using Pipeline.Storage.Tables;

namespace Pipeline.Application.Audit;

/// <summary>
/// "Trust, but verify": recomputes a view version's keys straight from the raw log below its committed
/// cutoff and compares them with its batch rows and with what is served (where the batch view alone
/// answers); checks that the log still holds as many events as the batch view read; and measures how far
/// approximate answers were from exact ones.
/// </summary>
public sealed class AuditService(PipelineStore store, PointerStore pointers, ViewQueryService queries, ViewRegistry registry, AuditStore audits)
{
    /// <summary>The most mismatches a report lists (the count is always complete).</summary>
    public const int MaxListedMismatches = 100;

    /// <summary>Runs an audit, keeps its report, and returns it.</summary>
    public async Task<AuditReport> RunAsync(AuditRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var started = DateTimeOffset.UtcNow;
        var view = RegisteredViews.Require(registry, request.View, request.Version);
        var pointer = await pointers.GetAsync(view.Name, view.Version, cancellationToken).ConfigureAwait(false);
        if (pointer is null)
        {
            return await KeepAsync(new AuditReport(request.Audit, view.Name, view.Version, null, false, 0, 0, [], [], null, started, DateTimeOffset.UtcNow,
                "no committed batch view to audit: recompute or replay the version first"), cancellationToken).ConfigureAwait(false);
        }

        var (folded, read, shortfalls) = await LogRefold.RunAsync(store, view, pointer.Cutoff, pointer.LoggedEvents, cancellationToken).ConfigureAwait(false);
        var batch = await BatchPartialsAsync(view, pointer.Cutoff, cancellationToken).ConfigureAwait(false);
        var keys = Choose(view, request, batch.Keys.Union(folded.Partials.Keys));

        var mismatches = new List<AuditMismatch>();
        var errors = new List<double>();
        foreach (var key in keys)
        {
            var fromLog = Value(view, pointer.Cutoff, folded.Partials.GetValueOrDefault(key));
            var inBatch = Value(view, pointer.Cutoff, batch.GetValueOrDefault(key));
            if (fromLog != inBatch)
            {
                mismatches.Add(new AuditMismatch(key.Format(view.Window), "batch", fromLog, inBatch));
            }

            var served = await queries.QueryKeyAsync(view, key, cancellationToken).ConfigureAwait(false);
            if (served.Provenance.Approximate && fromLog is > 0 && served.Result.Value is { } estimate)
            {
                errors.Add((double)Math.Abs(estimate - fromLog.Value) / (double)fromLog.Value);
            }
            else if (served.Provenance.CoveredByBatch && served.Provenance.BatchCutoffEpoch == pointer.Cutoff && served.Result.Value != fromLog)
            {
                mismatches.Add(new AuditMismatch(key.Format(view.Window), "serving", fromLog, served.Result.Value));
            }
        }

        var approximation = errors.Count == 0 ? null : new ApproximationError(errors.Count, errors.Average(), errors.Max());
        var report = new AuditReport(request.Audit, view.Name, view.Version, pointer.Cutoff, mismatches.Count == 0 && shortfalls.Count == 0, keys.Count, read,
            [.. mismatches.Take(MaxListedMismatches)], shortfalls, approximation, started, DateTimeOffset.UtcNow,
            mismatches.Count > MaxListedMismatches ? $"{mismatches.Count} mismatches; the first {MaxListedMismatches} are listed" : null);
        return await KeepAsync(report, cancellationToken).ConfigureAwait(false);
    }

    private async Task<AuditReport> KeepAsync(AuditReport report, CancellationToken cancellationToken)
    {
        await audits.AddAsync(report, cancellationToken).ConfigureAwait(false);
        return report;
    }

    private async Task<Dictionary<ViewKey, ViewPartial>> BatchPartialsAsync(ViewDefinition view, long cutoff, CancellationToken cancellationToken)
    {
        var prefix = BatchRows.DayPrefix(view, cutoff);
        var partials = new Dictionary<ViewKey, ViewPartial>();
        await foreach (var row in store.Batch.QueryAsync(TableFilter.Create($"PartitionKey ge {prefix} and PartitionKey lt {prefix + "~"}"), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (view.TryParseKey(row.GetString("Key"), out var key, out _))
            {
                partials[key] = BatchRows.PartialOf(row);
            }
        }

        return partials;
    }

    /// <summary>The keys in the requested windows; a sample is the keys with the smallest hashes, so the same request checks the same keys.</summary>
    private static List<ViewKey> Choose(ViewDefinition view, AuditRequest request, IEnumerable<ViewKey> keys)
    {
        var from = request.From is not null && view.TryParseKey(request.From, out var f, out _) ? f.WindowStart : DateTime.MinValue;
        var to = request.To is not null && view.TryParseKey(request.To, out var t, out _) ? t.WindowStart : DateTime.MaxValue;
        var inRange = keys.Where(k => k.WindowStart >= from && k.WindowStart <= to);
        return request.Sample is { } sample
            ? [.. inRange.OrderBy(k => XxHash64.Hash(Encoding.UTF8.GetBytes(k.Format(view.Window)))).Take(sample)]
            : [.. inRange.OrderBy(k => k.WindowStart).ThenBy(k => k.Dimension, StringComparer.Ordinal)];
    }

    private static decimal? Value(ViewDefinition view, long cutoff, ViewPartial? partial) =>
        partial is null ? null : ServingMerge.Merge(view, default, new BatchContribution(view.Version, cutoff, partial), []).Result.Value;
}
