using Azure.Data.Tables;
using Microsoft.DurableTask;
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
/// Writes the batch view for the cutoff: merges the partitions' partials, and for each day they touch the
/// complete partials of that day's served copy (an incremental run), then writes those days' rows under the
/// cutoff in 100-entity transactions per PartitionKey, their complete partials, and the list of served days
/// (untouched days keep their earlier copies). What a run writes is a function of the raw log, the cutoff
/// and its base only, so writing it again (a resumed or repeated run) puts the same content in the same
/// places; and its cost follows the days that changed, not the history.
/// </summary>
[DurableTask(ActivityName)]
public sealed class WriteBatchViewActivity(PipelineStore store, SpecRegistry specs)
    : TaskActivity<WriteBatchViewInput, BatchViewWritten>
{
    /// <summary>The activity's name.</summary>
    public const string ActivityName = "write-batch-view";

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

        var merged = new ViewAccumulator(view);
        foreach (var blob in request.PartialsBlobs)
        {
            await MergeBlobAsync(merged, blob, cancellationToken).ConfigureAwait(false);
        }

        var served = ServedDays.None(request.Since);
        if (request.Since > 0 && request.SinceDays is null)
        {
            // A base kept whole: merged whole, and every day is written (its days are listed from then on).
            await MergeBlobAsync(merged, CumulativeName(view, request.Since), cancellationToken).ConfigureAwait(false);
        }
        else if (request.Since > 0)
        {
            served = await ServedDays
                .ReadAsync(store, request.SinceDays!, request.Since, cancellationToken)
                .ConfigureAwait(false);
            var touched = merged.Partials.Keys.Select(k => k.WindowStart.Date).ToHashSet();
            var bases = touched
                .Where(served.Days.ContainsKey)
                .Select(day => StorageLayout.Work.DayPartials(view.Id, day, served.Days[day].Cutoff));
            foreach (var blob in bases)
            {
                await MergeBlobAsync(merged, blob, cancellationToken).ConfigureAwait(false);
            }
        }

        var days = merged
            .Partials.GroupBy(p => p.Key.WindowStart.Date)
            .ToDictionary(g => g.Key, g => g.ToDictionary(p => p.Key, p => p.Value));
        await WriteRowsAsync(view, request.Cutoff, merged.Partials, cancellationToken).ConfigureAwait(false);
        await Parallel
            .ForEachAsync(
                days,
                new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
                async (day, ct) =>
                    await store
                        .Work.GetBlobClient(StorageLayout.Work.DayPartials(view.Id, day.Key, request.Cutoff))
                        .UploadAsync(BinaryData.FromBytes(PartialsFile.Write(view, day.Value)), overwrite: true, ct)
                        .ConfigureAwait(false)
            )
            .ConfigureAwait(false);

        served = served.With(
            request.Cutoff,
            days.ToDictionary(d => d.Key, d => ((long)d.Value.Count, d.Value.Values.Sum(p => p.Events)))
        );
        var servedBlob = StorageLayout.Work.ServedDays(view.Id, request.Cutoff, request.Since);
        await store
            .Work.GetBlobClient(servedBlob)
            .UploadAsync(BinaryData.FromString(served.Format()), overwrite: true, cancellationToken)
            .ConfigureAwait(false);
        return new BatchViewWritten(
            served.Rows,
            served.Events,
            watch.Elapsed.TotalSeconds,
            merged.Partials.Count,
            days.Count,
            servedBlob
        );
    }

    private async Task MergeBlobAsync(ViewAccumulator merged, string blob, CancellationToken cancellationToken)
    {
        var content = await store
            .Work.GetBlobClient(blob)
            .DownloadContentAsync(cancellationToken)
            .ConfigureAwait(false);
        PartialsFile.MergeInto(merged, content.Value.Content.ToMemory().Span, blob);
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
