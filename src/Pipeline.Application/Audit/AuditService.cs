using System.Text;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Pipeline.Application.Batch;
using Pipeline.Application.Configuration;
using Pipeline.Application.Outcomes;
using Pipeline.Application.Serving;
using Pipeline.Application.Speed;
using Pipeline.Application.Storage;
using Pipeline.Domain.Aggregations;
using Pipeline.Domain.Epochs;
using Pipeline.Domain.Hashing;
using Pipeline.Domain.Views;
using Pipeline.Storage.Tables;

namespace Pipeline.Application.Audit;

/// <summary>
/// "Trust, but verify": recomputes a view version's keys straight from the raw log below its committed
/// cutoff and compares them with its batch rows and with what is served (where the batch view alone
/// answers); checks that the log still holds as many events as the batch view read; and compares what the
/// speed layer had said for the epochs it has retired with the log's events of those epochs, counting its
/// wrong exact answers and measuring the error of its estimates. Speed differences are reported but do
/// not make an audit unclean: the batch view has already replaced those answers.
/// </summary>
public sealed class AuditService(
    PipelineStore store,
    PointerStore pointers,
    ViewQueryService queries,
    ViewRegistry registry,
    AuditStore audits,
    TimeProvider time,
    IOptions<PipelineOptions> options
)
{
    /// <summary>The most mismatches a report lists (the count is always complete).</summary>
    public const int MaxListedMismatches = 100;

    /// <summary>The newest reports of a view (of one version, if given), newest first.</summary>
    public async Task<Outcome<IReadOnlyList<AuditReport>>> ReportsAsync(
        string view,
        int? version,
        int max,
        CancellationToken cancellationToken = default
    ) =>
        registry.Versions(view).Count == 0
            ? Outcome<IReadOnlyList<AuditReport>>.NotFound(
                $"there is no view '{Domain.Quote.Shorten(view)}'; views: {string.Join(", ", registry.Names)}"
            )
            : Outcome<IReadOnlyList<AuditReport>>.Ok(
                await audits.ListAsync(view, version, max, cancellationToken).ConfigureAwait(false)
            );

    /// <summary>Runs an audit, keeps its report, and returns it.</summary>
    public async Task<AuditReport> RunAsync(AuditRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var started = time.GetUtcNow();
        var view = registry.Require(new Domain.Views.ViewVersion(request.View, request.Version));
        var pointer = await pointers.GetAsync(view.Id, cancellationToken).ConfigureAwait(false);
        if (pointer is null)
        {
            return await KeepAsync(
                    new AuditReport(
                        request.Audit,
                        view.Name,
                        view.Version,
                        null,
                        false,
                        0,
                        0,
                        [],
                        [],
                        null,
                        started,
                        time.GetUtcNow(),
                        "no committed batch view to audit: recompute or replay the version first"
                    ),
                    cancellationToken
                )
                .ConfigureAwait(false);
        }

        // The batch rows first: once a newer commit is past its grace period, these rows are deleted.
        var batch = await BatchPartialsAsync(view, pointer, cancellationToken).ConfigureAwait(false);
        var retiredSpeed = await RetiredSpeedRecords
            .ReadAsync(store, view, pointer.Cutoff, cancellationToken)
            .ConfigureAwait(false);
        var (folded, inSpeedEpochs, read, shortfalls) = await LogRefold
            .RunAsync(
                store,
                view,
                pointer.Cutoff,
                pointer.LoggedEvents,
                retiredSpeed is { } r ? (r.FromEpoch, r.UntilEpoch) : null,
                options.Value.RetryHorizon,
                cancellationToken
            )
            .ConfigureAwait(false);
        var keys = Choose(view, request, batch.Keys.Union(folded.Partials.Keys));

        var mismatches = new List<AuditMismatch>();
        var speedMismatches = new List<AuditMismatch>();
        var errors = new List<double>();
        foreach (var key in keys)
        {
            var label = key.Format(view.Window);
            var fromLog = Readings(view, folded.Partials.GetValueOrDefault(key));
            Compare(label, "batch", fromLog, Readings(view, batch.GetValueOrDefault(key)), mismatches);
            var served = await queries.QueryKeyAsync(view, key, cancellationToken).ConfigureAwait(false);
            if (served.Provenance.CoveredByBatch && served.Provenance.BatchCutoffEpoch == pointer.Cutoff)
            {
                Compare(label, "serving", fromLog, Readings(served), mismatches);
            }

            if (retiredSpeed is not null)
            {
                CompareSpeed(
                    view,
                    key,
                    retiredSpeed.Said.Partials.GetValueOrDefault(key),
                    inSpeedEpochs.Partials.GetValueOrDefault(key),
                    speedMismatches,
                    errors
                );
            }
        }

        var speed = retiredSpeed is null
            ? null
            : new SpeedComparison(
                retiredSpeed.FromEpoch,
                retiredSpeed.UntilEpoch,
                speedMismatches.Count,
                errors.Count == 0 ? null : new ApproximationError(errors.Count, errors.Average(), errors.Max())
            );
        var listed = mismatches.Concat(speedMismatches).ToList();
        var report = new AuditReport(
            request.Audit,
            view.Name,
            view.Version,
            pointer.Cutoff,
            mismatches.Count == 0 && shortfalls.Count == 0,
            keys.Count,
            read,
            [.. listed.Take(MaxListedMismatches)],
            shortfalls,
            speed,
            started,
            time.GetUtcNow(),
            listed.Count > MaxListedMismatches
                ? $"{listed.Count} mismatches; the first {MaxListedMismatches} are listed"
                : null
        );
        return await KeepAsync(report, cancellationToken).ConfigureAwait(false);
    }

    private async Task<AuditReport> KeepAsync(AuditReport report, CancellationToken cancellationToken)
    {
        await audits.AddAsync(report, cancellationToken).ConfigureAwait(false);
        return report;
    }

    private async Task<Dictionary<ViewKey, ViewPartial>> BatchPartialsAsync(
        ViewDefinition view,
        BatchPointer pointer,
        CancellationToken cancellationToken
    )
    {
        var served = await ServedDays.OfAsync(store, pointer, cancellationToken).ConfigureAwait(false);
        var partials = new Dictionary<ViewKey, ViewPartial>();
        await foreach (var row in served.RowsAsync(store, view, cancellationToken).ConfigureAwait(false))
        {
            if (view.TryParseKey(row.GetString("Key"), out var key, out _))
            {
                partials[key] = BatchRows.PartialOf(row);
            }
        }

        return partials;
    }

    /// <summary>The keys in the requested windows; a sample is the keys with the smallest hashes, so the same request
    /// checks the same keys.</summary>
    private static List<ViewKey> Choose(ViewDefinition view, AuditRequest request, IEnumerable<ViewKey> keys)
    {
        var from =
            request.From is not null && view.TryParseKey(request.From, out var f, out _)
                ? f.WindowStart
                : DateTime.MinValue;
        var to =
            request.To is not null && view.TryParseKey(request.To, out var t, out _)
                ? t.WindowStart
                : DateTime.MaxValue;
        var inRange = keys.Where(k => k.WindowStart >= from && k.WindowStart <= to);
        return request.Sample is { } sample
            ?
            [
                .. inRange
                    .OrderBy(k =>
                        System.IO.Hashing.XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(k.Format(view.Window)))
                    )
                    .Take(sample),
            ]
            : [.. inRange.OrderBy(k => k.WindowStart).ThenBy(k => k.Dimension, StringComparer.Ordinal)];
    }

    /// <summary>
    /// The speed layer's answer for retired epochs against the log's for the same epochs: an exact answer
    /// that differs is a <c>speed</c> mismatch; an estimate adds its relative error to the measurement.
    /// </summary>
    private static void CompareSpeed(
        ViewDefinition view,
        ViewKey key,
        ViewPartial? said,
        ViewPartial? logged,
        List<AuditMismatch> mismatches,
        List<double> errors
    )
    {
        if (said is null && logged is null)
        {
            return;
        }

        var fromLog = Readings(view, logged);
        var saidReadings = Readings(view, said);
        for (var i = 0; i < fromLog.Length; i++)
        {
            var (exact, saidAnswer) = (fromLog[i], saidReadings[i]);
            if (saidAnswer.Result is { IsApproximate: true, Value: { } estimate } && exact.Result.Value is > 0)
            {
                var truth = exact.Result.Value.Value;
                errors.Add((double)Math.Abs(estimate - truth) / (double)truth);
            }
            else if (saidAnswer.Result.Value != exact.Result.Value)
            {
                mismatches.Add(
                    new AuditMismatch(
                        key.Format(view.Window),
                        "speed",
                        exact.Result.Value,
                        saidAnswer.Result.Value,
                        exact.Aggregate
                    )
                );
            }
        }
    }

    /// <summary>One aggregate's answer from a partial: the view's one value, or each part of a view of several.
    /// </summary>
    private readonly record struct Reading(string? Aggregate, AggregateResult Result, long Skipped);

    private static Reading[] Readings(ViewDefinition view, ViewPartial? partial)
    {
        if (view.Aggregation.Parts is { } parts)
        {
            var state = partial?.State as CompositeState;
            return
            [
                .. parts.Select(
                    (part, i) =>
                        new Reading(
                            part.Name,
                            state?.Parts[i].Result ?? new AggregateResult(null),
                            state?.Skipped[i] ?? 0
                        )
                ),
            ];
        }

        return [new Reading(null, partial?.State.Result ?? new AggregateResult(null), partial?.Skipped ?? 0)];
    }

    private static Reading[] Readings(MergedAnswer served) =>
        served.Parts is { } parts
            ? [.. parts.Select(p => new Reading(p.Name, p.Result, p.Skipped))]
            : [new Reading(null, served.Result, 0)];

    private static void Compare(
        string key,
        string kind,
        Reading[] fromLog,
        Reading[] found,
        List<AuditMismatch> mismatches
    )
    {
        for (var i = 0; i < fromLog.Length; i++)
        {
            if (fromLog[i].Result.Value != found[i].Result.Value)
            {
                mismatches.Add(
                    new AuditMismatch(key, kind, fromLog[i].Result.Value, found[i].Result.Value, fromLog[i].Aggregate)
                );
            }

            if (fromLog[i].Skipped != found[i].Skipped)
            {
                mismatches.Add(
                    new AuditMismatch(
                        key,
                        kind,
                        fromLog[i].Skipped,
                        found[i].Skipped,
                        fromLog[i].Aggregate is { } name ? $"{name} skipped" : "skipped"
                    )
                );
            }
        }
    }
}
