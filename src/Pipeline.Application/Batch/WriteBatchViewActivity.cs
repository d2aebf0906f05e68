using System.Text.Json;
using Pipeline.Application.Orchestration;
using Pipeline.Application.Storage;
using Pipeline.Domain.Views;
using Pipeline.Storage.Tables;

namespace Pipeline.Application.Batch;

/// <summary>Input of <see cref="WriteBatchViewActivity"/>.</summary>
/// <param name="View">The view.</param>
/// <param name="Version">The version.</param>
/// <param name="Cutoff">The cutoff.</param>
/// <param name="PartialsBlobs">The partitions' partials.</param>
public sealed record WriteBatchViewInput(string View, int Version, long Cutoff, IReadOnlyList<string> PartialsBlobs);

/// <summary>
/// Merges the partitions' partials and writes the batch view for the cutoff, in 100-entity transactions
/// per PartitionKey. The rows are a function of the raw log and the cutoff only, so writing them again
/// (a resumed or repeated run) puts the same content in the same places.
/// </summary>
internal sealed class WriteBatchViewActivity(PipelineStore store, ViewRegistry registry) : IActivity
{
    public const string ActivityName = "write-batch-view";

    public string Name => ActivityName;

    public async Task<object?> RunAsync(JsonElement input, CancellationToken cancellationToken)
    {
        var request = input.Deserialize<WriteBatchViewInput>(ApiJson.Options)!;
        var view = RegisteredViews.Require(registry, request.View, request.Version);

        var merged = new ViewAccumulator(view);
        foreach (var blob in request.PartialsBlobs)
        {
            var content = await store.Work.GetBlobClient(blob).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            PartialsFile.MergeInto(merged, content.Value.ToMemory().Span, blob);
        }

        var chunks = merged.Partials
            .Select(p => BatchRows.ToEntity(view, request.Cutoff, p.Key, p.Value))
            .GroupBy(e => e.PartitionKey, StringComparer.Ordinal)
            .SelectMany(g => g.Chunk(TableClient.MaxTransactionActions))
            .ToList();
        await Parallel.ForEachAsync(chunks, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (chunk, ct) =>
            await store.Batch.SubmitTransactionAsync(chunk.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, e)), ct).ConfigureAwait(false)).ConfigureAwait(false);
        return new { rows = merged.Partials.Count, events = merged.Partials.Values.Sum(p => p.Events) };
    }
}
