using System.Collections.Concurrent;
using System.Globalization;
using Azure.Data.Tables;
using Azure.Storage.Blobs.Models;
using Pipeline.Application.Operations;
using Pipeline.Application.Storage;
using Pipeline.Domain.Views;
using Pipeline.Storage.Tables;

namespace Pipeline.Application.Batch;

/// <summary>What one clean-up deleted.</summary>
/// <param name="BatchRows">Batch rows of older cutoffs.</param>
/// <param name="WorkBlobs">Intermediate blobs of older runs.</param>
public sealed record SupersededDeletion(int BatchRows, int WorkBlobs);

/// <summary>
/// Deletes what a committed batch view has superseded, once the commit is older than the grace period
/// (queries hold a pointer for a second and then read its rows): the version's batch rows of older
/// cutoffs, its per-partition partials of runs at older cutoffs, and its complete partials of older
/// cutoffs (the current one stays: the next incremental run starts from it). Identity indexes, shared by
/// every view, go once every view's batch view is past them. Without this, every recompute would leave
/// a whole copy of the view behind. Each version is cleaned once per commit.
/// </summary>
public sealed class SupersededBatchData(PipelineStore store, PointerStore pointers)
{
    private readonly ConcurrentDictionary<ViewVersion, long> _cleanedAt = new();

    /// <summary>Deletes the version's superseded rows and blobs when its commit is past the grace period.</summary>
    public async Task<SupersededDeletion> DeleteAsync(
        ViewDefinition view,
        TimeSpan grace,
        DateTimeOffset now,
        CancellationToken cancellationToken = default
    )
    {
        ArgumentNullException.ThrowIfNull(view);
        var pointer = await pointers.GetAsync(view.Id, cancellationToken).ConfigureAwait(false);
        if (
            pointer is null
            || now - pointer.CommittedAt < grace
            || _cleanedAt.GetValueOrDefault(view.Id, -1) == pointer.Cutoff
        )
        {
            return new SupersededDeletion(0, 0);
        }

        var versionPrefix = StorageLayout.Batch.VersionPrefix(view.Id);
        var current = BatchRows.DayPrefix(view, pointer.Cutoff);
        var rows = await store
            .Batch.QueryAsync<TableEntity>(
                TableClient.CreateQueryFilter($"PartitionKey ge {versionPrefix} and PartitionKey lt {current}"),
                select: ["PartitionKey", "RowKey"],
                cancellationToken: cancellationToken
            )
            .ToListAsync(cancellationToken)
            .ConfigureAwait(false);
        await store.Batch.DeleteRowsAsync(rows, cancellationToken).ConfigureAwait(false);

        var blobs = 0;
        foreach (var kind in new[] { OperationKind.Recompute, OperationKind.Replay })
        {
            // Operation ids end with the cutoff: {kind}.{view@version}.{cutoff:D12}; a run at this cutoff or later may
            // still be going.
            blobs += await DeleteBlobsBelowAsync(
                    OperationIds.Prefix(kind, view.Name, view.Version),
                    name => name.Split('/')[0],
                    pointer.Cutoff,
                    cancellationToken
                )
                .ConfigureAwait(false);
        }

        blobs += await DeleteBlobsBelowAsync(
                StorageLayout.Work.CumulativePrefix(view.Id),
                name => Path.GetFileNameWithoutExtension(name),
                pointer.Cutoff,
                cancellationToken
            )
            .ConfigureAwait(false);
        _cleanedAt[view.Id] = pointer.Cutoff;
        return new SupersededDeletion(rows.Count, blobs);
    }

    /// <summary>Deletes identity indexes below the oldest cutoff that a committed view of <paramref name="views"/> may
    /// start its next run from.</summary>
    public async Task<int> DeleteIdentityIndexesAsync(
        IEnumerable<ViewDefinition> views,
        CancellationToken cancellationToken = default
    )
    {
        ArgumentNullException.ThrowIfNull(views);
        long? oldest = null;
        foreach (var view in views)
        {
            if (await pointers.GetAsync(view.Id, cancellationToken).ConfigureAwait(false) is { } pointer)
            {
                oldest = Math.Min(oldest ?? long.MaxValue, pointer.Cutoff);
            }
        }

        return oldest is null
            ? 0
            : await DeleteBlobsBelowAsync(
                    StorageLayout.Work.IdentitiesPrefix,
                    name => Path.GetFileNameWithoutExtension(name),
                    oldest.Value,
                    cancellationToken
                )
                .ConfigureAwait(false);
    }

    private async Task<int> DeleteBlobsBelowAsync(
        string prefix,
        Func<string, string> cutoffText,
        long cutoff,
        CancellationToken cancellationToken
    )
    {
        var deleted = 0;
        await foreach (
            var blob in store
                .Work.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix }, cancellationToken)
                .ConfigureAwait(false)
        )
        {
            var text = cutoffText(blob.Name);
            var tail = text[(text.LastIndexOf('.') + 1)..];
            if (
                long.TryParse(tail, NumberStyles.None, CultureInfo.InvariantCulture, out var blobCutoff)
                && blobCutoff < cutoff
            )
            {
                deleted += await store
                    .Work.GetBlobClient(blob.Name)
                    .DeleteIfExistsAsync(cancellationToken: cancellationToken)
                    .ConfigureAwait(false)
                    ? 1
                    : 0;
            }
        }

        return deleted;
    }
}
