using Pipeline.Application.Speed;
using Pipeline.Application.Storage;
using Pipeline.Domain.Views;
using Pipeline.Storage.Tables;

namespace Pipeline.Application.Batch;

/// <summary>
/// Retires speed data that a committed batch view has made redundant: rows of epochs below the pointer's
/// cutoff. Only after the commit, and only once the commit is older than the grace period, so that a
/// query that read the previous pointer a moment ago still finds the speed rows it needs.
/// </summary>
public sealed class SpeedRetirement(PipelineStore store, PointerStore pointers)
{
    /// <summary>Deletes the view version's retired speed rows; returns how many.</summary>
    public async Task<int> RetireAsync(ViewDefinition view, TimeSpan grace, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(view);
        var pointer = await pointers.GetAsync(view.Name, view.Version, cancellationToken).ConfigureAwait(false);
        if (pointer is null || now - pointer.CommittedAt < grace)
        {
            return 0;
        }

        var prefix = $"{view.Name}.{view.Version}.";
        var filter = TableFilter.Create($"PartitionKey ge {prefix} and PartitionKey lt {prefix + "~"} and Epoch lt {pointer.Cutoff}");
        var retired = await store.Speed.QueryAsync(filter, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken).ToListAsync(cancellationToken).ConfigureAwait(false);
        var chunks = retired.GroupBy(r => r.PartitionKey, StringComparer.Ordinal).SelectMany(g => g.Chunk(TableClient.MaxTransactionActions)).ToList();
        await Parallel.ForEachAsync(chunks, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (chunk, ct) =>
            await store.Speed.SubmitTransactionAsync(chunk.Select(r => new TableTransactionAction(TableTransactionActionType.Delete, r)), ct).ConfigureAwait(false)).ConfigureAwait(false);
        return retired.Count;
    }
}
