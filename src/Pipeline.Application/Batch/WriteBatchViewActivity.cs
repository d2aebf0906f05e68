using Azure.Data.Tables;
using Microsoft.DurableTask;
using Microsoft.Extensions.Options;
using Pipeline.Application.Configuration;
using Pipeline.Application.Operations;
using Pipeline.Application.Storage;
using Pipeline.Application.Versions;
using Pipeline.Domain.Views;
using Pipeline.Storage.Tables;

namespace Pipeline.Application.Batch;

/// <summary>Input of <see cref="WriteBatchViewActivity"/>.</summary>
/// <param name="View">The view.</param>
/// <param name="Version">The version.</param>
/// <param name="Cutoff">The cutoff.</param>
/// <param name="PartialsBlobs">The partitions' partials.</param>
/// <param name="Since">The committed cutoff whose complete partials the new ones add to (0: none).</param>
/// <param name="SinceDays">The served days of the batch view at <paramref name="Since"/> (null: kept whole).</param>
public sealed record WriteBatchViewInput(
    string View,
    int Version,
    long Cutoff,
    IReadOnlyList<string> PartialsBlobs,
    long Since = 0,
    string? SinceDays = null
);

/// <summary>What <see cref="WriteBatchViewActivity"/> wrote.</summary>
/// <param name="Rows">Rows the batch view serves.</param>
/// <param name="Events">Events they count.</param>
/// <param name="Seconds">How long merging and writing took.</param>
/// <param name="RowsWritten">Rows this run wrote: those of the days its new events touched.</param>
/// <param name="DaysWritten">Days this run wrote.</param>
/// <param name="ServedDaysBlob">The list of which copy of each day serves at the cutoff.</param>
public sealed record BatchViewWritten(
    long Rows,
    long Events,
    double Seconds,
    long RowsWritten = 0,
    int DaysWritten = 0,
    string? ServedDaysBlob = null
);

/// <summary>
/// Writes the batch view for the cutoff: merges the partitions' partials in key order (so day by day), and for each
/// day they touch the complete partials of that day's served copy (an incremental run), then writes those days'
/// rows under the cutoff in 100-entity transactions per PartitionKey, their complete partials, and the list of
/// served days (untouched days keep their earlier copies). Days are written as the merge passes them, a few
/// thousand keys at a time, so memory is bounded by that batch (and the largest day), not by the view or the log.
/// What a run writes is a function of the raw log, the cutoff and its base only, so writing it again (a resumed or
/// repeated run) puts the same content in the same places; and its cost follows the days that changed, not the
/// history.
/// </summary>
[DurableTask(ActivityName)]
public sealed class WriteBatchViewActivity(PipelineStore store, SpecRegistry specs, IOptions<PipelineOptions> options)
    : TaskActivity<WriteBatchViewInput, BatchViewWritten>
{
    /// <summary>The activity's name.</summary>
    public const string ActivityName = "write-batch-view";

    // Days are written once the merge has passed Pipeline:BatchWriteKeys keys, or this many bytes of state (exact
    // distinct members), whichever comes first; a day is never split.
    private const long BatchStateBytes = 64L << 20;

    /// <inheritdoc />
    public override async Task<BatchViewWritten> RunAsync(TaskActivityContext context, WriteBatchViewInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var request = input;
        var cancellationToken = CancellationToken.None;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var view = await specs
            .RequireAsync(new Domain.Views.ViewVersion(request.View, request.Version), CancellationToken.None)
            .ConfigureAwait(false);

        var inputs = request.PartialsBlobs.ToList();
        var served = ServedDays.None(request.Since);
        if (request.Since > 0 && request.SinceDays is null)
        {
            // A base kept whole: merged with the rest, and every day is written (its days are listed from then on).
            inputs.Add(CumulativeName(view, request.Since));
        }
        else if (request.Since > 0)
        {
            served = await ServedDays
                .ReadAsync(store, request.SinceDays!, request.Since, cancellationToken)
                .ConfigureAwait(false);
        }

        var written = new Dictionary<DateTime, (long Rows, long Events)>();
        var batch = new ViewAccumulator(view);
        var (stateBytes, lastDay) = (0L, DateTime.MinValue);
        var merge = await PartialsMerge.OpenAsync(store.Work, inputs, cancellationToken).ConfigureAwait(false);
        await using (merge.ConfigureAwait(false))
        {
            ViewKey key = default!;
            var keyText = string.Empty;
            while (await merge.MoveNextAsync().ConfigureAwait(false))
            {
                var entry = merge.Current;
                if (!string.Equals(entry.Key, keyText, StringComparison.Ordinal))
                {
                    key = view.TryParseKey(entry.Key, out var parsed, out _)
                        ? parsed
                        : throw new InvalidDataException($"partials hold a key that does not parse: '{entry.Key}'");
                    keyText = entry.Key;
                }

                var day = key.WindowStart.Date;
                if (
                    day != lastDay
                    && (batch.Partials.Count >= options.Value.BatchWriteKeys || stateBytes >= BatchStateBytes)
                )
                {
                    await WriteDaysAsync(view, request.Cutoff, batch, served, written, cancellationToken)
                        .ConfigureAwait(false);
                    stateBytes = 0;
                    batch.Clear();
                }

                lastDay =
                    day < lastDay
                        ? throw new InvalidDataException($"partials are out of day order at key '{entry.Key}'")
                        : day;
                batch.Merge(key, entry.Partial);
                stateBytes += entry.StateBytes;
            }
        }

        await WriteDaysAsync(view, request.Cutoff, batch, served, written, cancellationToken).ConfigureAwait(false);
        served = served.With(request.Cutoff, written);
        var servedBlob = StorageLayout.Work.ServedDays(view.Id, request.Cutoff, request.Since);
        await store
            .Work.GetBlobClient(servedBlob)
            .UploadAsync(BinaryData.FromString(served.Format()), overwrite: true, cancellationToken)
            .ConfigureAwait(false);
        return new BatchViewWritten(
            served.Rows,
            served.Events,
            watch.Elapsed.TotalSeconds,
            written.Values.Sum(d => d.Rows),
            written.Count,
            servedBlob
        );
    }

    // Writes the batch's days: each with its served copy's complete partials merged in first (an incremental run),
    // rows and complete partials under the cutoff.
    private async Task WriteDaysAsync(
        ViewDefinition view,
        long cutoff,
        ViewAccumulator batch,
        ServedDays served,
        Dictionary<DateTime, (long Rows, long Events)> written,
        CancellationToken cancellationToken
    )
    {
        if (batch.Partials.Count == 0)
        {
            return;
        }

        var touched = batch.Partials.Keys.Select(k => k.WindowStart.Date).Distinct().ToList();
        foreach (var day in touched.Where(served.Days.ContainsKey))
        {
            var blob = StorageLayout.Work.DayPartials(view.Id, day, served.Days[day].Cutoff);
            var content = await store
                .Work.GetBlobClient(blob)
                .DownloadContentAsync(cancellationToken)
                .ConfigureAwait(false);
            PartialsFile.MergeInto(batch, content.Value.Content.ToMemory().Span, blob);
        }

        var days = batch
            .Partials.GroupBy(p => p.Key.WindowStart.Date)
            .ToDictionary(g => g.Key, g => g.ToDictionary(p => p.Key, p => p.Value));
        await WriteRowsAsync(view, cutoff, batch.Partials, cancellationToken).ConfigureAwait(false);
        await Parallel
            .ForEachAsync(
                days,
                new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
                async (day, ct) =>
                    await store
                        .Work.GetBlobClient(StorageLayout.Work.DayPartials(view.Id, day.Key, cutoff))
                        .UploadAsync(BinaryData.FromBytes(PartialsFile.Write(view, day.Value)), overwrite: true, ct)
                        .ConfigureAwait(false)
            )
            .ConfigureAwait(false);
        foreach (var (day, partials) in days)
        {
            written[day] = (partials.Count, partials.Values.Sum(p => p.Events));
        }
    }

    private async Task WriteRowsAsync(
        ViewDefinition view,
        long cutoff,
        IReadOnlyDictionary<ViewKey, ViewPartial> partials,
        CancellationToken cancellationToken
    )
    {
        var chunks = TableRules.Transactions(
            partials.Select(p => BatchRows.ToEntity(view, cutoff, p.Key, p.Value)),
            e => e
        );
        await Parallel
            .ForEachAsync(
                chunks,
                new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
                async (chunk, ct) =>
                    await store
                        .Batch.SubmitCheckedTransactionAsync(
                            chunk.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, e)),
                            ct
                        )
                        .ConfigureAwait(false)
            )
            .ConfigureAwait(false);
    }

    /// <summary>The complete partials of a view version's batch view at a cutoff, kept whole (before they were kept
    /// per day).</summary>
    public static string CumulativeName(ViewDefinition view, long cutoff) =>
        StorageLayout.Work.Cumulative(view.Id, cutoff);
}
