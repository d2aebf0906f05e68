using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Pipeline.Application.Storage;
using Pipeline.Storage.Tables;

namespace Pipeline.Application.Ingest;

/// <summary>How far one partition has been applied: its last sequence number and enqueued-time watermark.</summary>
/// <param name="Partition">The partition.</param>
/// <param name="LastSequence">The last sequence number applied to the raw log and the speed views (-1: none).</param>
/// <param name="Watermark">The largest enqueued time applied.</param>
/// <param name="ETag">The row's ETag, for the next conditional write.</param>
public sealed record PartitionProgress(int Partition, long LastSequence, DateTimeOffset Watermark, ETag ETag);

/// <summary>
/// The progress table: one row per partition, advanced after each batch with an ETag-guarded,
/// monotonic write (a slower, concurrent owner never moves it back). Which epochs are sealed
/// follows from it: an epoch is sealed once every partition's watermark has passed its end.
/// </summary>
public sealed class ProgressStore(PipelineStore store, TimeProvider time)
{
    /// <summary>The progress of one partition, or an empty one.</summary>
    public async Task<PartitionProgress> GetAsync(int partition, CancellationToken cancellationToken = default)
    {
        var entity = await store
            .Progress.GetEntityOrNullAsync(
                StorageLayout.Partitions.PartitionKey,
                StorageLayout.Partitions.RowKey(partition),
                cancellationToken: cancellationToken
            )
            .ConfigureAwait(false);
        return entity is null
            ? new PartitionProgress(partition, -1, DateTimeOffset.MinValue, default)
            : FromEntity(entity);
    }

    /// <summary>Every partition's progress.</summary>
    public async Task<IReadOnlyList<PartitionProgress>> ListAsync(CancellationToken cancellationToken = default)
    {
        var rows = await store
            .Progress.QueryAsync<TableEntity>(
                TableClient.CreateQueryFilter($"PartitionKey eq {StorageLayout.Partitions.PartitionKey}"),
                cancellationToken: cancellationToken
            )
            .ToListAsync(cancellationToken)
            .ConfigureAwait(false);
        return [.. rows.Select(FromEntity).OrderBy(p => p.Partition)];
    }

    /// <summary>Moves a partition's progress forward (never back); returns the stored progress.</summary>
    public async Task<PartitionProgress> AdvanceAsync(
        PartitionProgress known,
        long lastSequence,
        DateTimeOffset watermark,
        CancellationToken cancellationToken = default
    )
    {
        ArgumentNullException.ThrowIfNull(known);
        var current = known;
        return await OptimisticConcurrency
            .RetryAsync(
                async attempt =>
                {
                    if (attempt > 1)
                    {
                        // Another owner of the partition moved it; read theirs and keep the larger.
                        current = await GetAsync(known.Partition, cancellationToken).ConfigureAwait(false);
                    }

                    var next = current with
                    {
                        LastSequence = Math.Max(current.LastSequence, lastSequence),
                        Watermark = current.Watermark > watermark ? current.Watermark : watermark,
                    };
                    if (
                        next.LastSequence == current.LastSequence
                        && next.Watermark == current.Watermark
                        && current.ETag != default
                    )
                    {
                        return current;
                    }

                    var entity = new TableEntity(
                        StorageLayout.Partitions.PartitionKey,
                        StorageLayout.Partitions.RowKey(next.Partition)
                    )
                    {
                        ["LastSequence"] = next.LastSequence,
                        ["Watermark"] = next.Watermark,
                        ["UpdatedAt"] = time.GetUtcNow(),
                    };
                    var response =
                        current.ETag == default
                            ? await store.Progress.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false)
                            : await store
                                .Progress.UpdateEntityAsync(
                                    entity,
                                    current.ETag,
                                    TableUpdateMode.Replace,
                                    cancellationToken
                                )
                                .ConfigureAwait(false);
                    return next with { ETag = response.Headers.ETag ?? default };
                },
                cancellationToken
            )
            .ConfigureAwait(false);
    }

    private static PartitionProgress FromEntity(TableEntity entity) =>
        new(
            int.Parse(entity.RowKey, CultureInfo.InvariantCulture),
            entity.GetInt64("LastSequence") ?? -1,
            entity.GetDateTimeOffset("Watermark") ?? DateTimeOffset.MinValue,
            entity.ETag
        );
}
