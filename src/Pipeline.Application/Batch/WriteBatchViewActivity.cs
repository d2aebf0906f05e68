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
public sealed record WriteBatchViewInput(
    string View,
    int Version,
    long Cutoff,
    IReadOnlyList<string> PartialsBlobs,
    long Since = 0
);

/// <summary>What <see cref="WriteBatchViewActivity"/> wrote.</summary>
/// <param name="Rows">Batch view rows.</param>
/// <param name="Events">Events they count.</param>
/// <param name="Seconds">How long merging and writing took.</param>
public sealed record BatchViewWritten(long Rows, long Events, double Seconds);

/// <summary>
/// Merges the partitions' partials (onto the complete partials of the cutoff it builds on, for an
/// incremental run) and writes the batch view for the cutoff, in 100-entity transactions per
/// PartitionKey; then keeps the merged, complete partials for the next incremental run. The rows are a
/// function of the raw log and the cutoff only, so writing them again (a resumed or repeated run, or a
/// full run instead of an incremental one) puts the same content in the same places.
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
        foreach (
            var blob in request.Since > 0
                ? [CumulativeName(view, request.Since), .. request.PartialsBlobs]
                : request.PartialsBlobs
        )
        {
            var content = await store
                .Work.GetBlobClient(blob)
                .DownloadContentAsync(cancellationToken)
                .ConfigureAwait(false);
            PartialsFile.MergeInto(merged, content.Value.Content.ToMemory().Span, blob);
        }

        var chunks = TableRules.Transactions(
            merged.Partials.Select(p => BatchRows.ToEntity(view, request.Cutoff, p.Key, p.Value)),
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
        await store
            .Work.GetBlobClient(CumulativeName(view, request.Cutoff))
            .UploadAsync(
                BinaryData.FromBytes(PartialsFile.Write(view, merged.Partials)),
                overwrite: true,
                cancellationToken
            )
            .ConfigureAwait(false);
        return new BatchViewWritten(
            merged.Partials.Count,
            merged.Partials.Values.Sum(p => p.Events),
            watch.Elapsed.TotalSeconds
        );
    }

    /// <summary>The complete partials of a view version's batch view at a cutoff.</summary>
    public static string CumulativeName(ViewDefinition view, long cutoff) =>
        StorageLayout.Work.Cumulative(view.Id, cutoff);
}
