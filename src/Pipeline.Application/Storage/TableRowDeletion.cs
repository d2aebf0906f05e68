using Azure.Data.Tables;
using Pipeline.Storage.Tables;

namespace Pipeline.Application.Storage;

/// <summary>Deletes many rows: grouped by PartitionKey into 100-entity transactions, several at once.</summary>
internal static class TableRowDeletion
{
    private const int Parallelism = 8;

    /// <summary>Deletes <paramref name="rows"/> (each needs only its keys); returns how many.</summary>
    public static async Task<int> DeleteRowsAsync(
        this TableClient table,
        IReadOnlyCollection<TableEntity> rows,
        CancellationToken cancellationToken
    )
    {
        var transactions = rows.GroupBy(r => r.PartitionKey, StringComparer.Ordinal)
            .SelectMany(g => g.Chunk(TableRules.MaxTransactionActions))
            .ToList();
        await Parallel
            .ForEachAsync(
                transactions,
                new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
                async (chunk, ct) =>
                    await table
                        .SubmitCheckedTransactionAsync(
                            chunk.Select(r => new TableTransactionAction(TableTransactionActionType.Delete, r)),
                            ct
                        )
                        .ConfigureAwait(false)
            )
            .ConfigureAwait(false);
        return rows.Count;
    }
}
