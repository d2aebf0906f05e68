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
/// cutoffs that no served day uses, its per-partition partials of runs at older cutoffs, and its complete
/// partials that no served day uses (the served ones stay: the next incremental run starts from them).
/// Identity indexes, shared by every view, go once every view's batch view is past them. Without this,
/// every recompute would leave copies of the days it wrote again behind. Each version is cleaned once per
/// commit. (Finding the old rows lists the keys of the version's older cutoffs, served days' included: a
/// clean-up's cost follows the rows kept, off the recompute's path.)
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

        var served = await ServedDays.OfAsync(store, pointer, cancellationToken).ConfigureAwait(false);
        var servedPartitions = served
            .Days.Keys.Select(day => served.PartitionKeyOf(view, day)!)
            .ToHashSet(StringComparer.Ordinal);
        var versionPrefix = StorageLayout.Batch.VersionPrefix(view.Id);
        var current = BatchRows.DayPrefix(view, pointer.Cutoff);
        var rows = await store
            .Batch.QueryAsync<TableEntity>(
                TableClient.CreateQueryFilter($"PartitionKey ge {versionPrefix} and PartitionKey lt {current}"),
                select: ["PartitionKey", "RowKey"],
                cancellationToken: cancellationToken
            )
            .Where(row => !servedPartitions.Contains(row.PartitionKey))
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

        blobs += await DeleteUnservedPartialsAsync(view, pointer, served, cancellationToken).ConfigureAwait(false);
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

    /// <summary>
    /// Deletes the version's complete partials and lists of served days that the committed batch view does not
    /// use: those of older cutoffs (kept whole, or of days a later run wrote again) and lists of other runs at
    /// its cutoff or before.
    /// </summary>
    private async Task<int> DeleteUnservedPartialsAsync(
        ViewDefinition view,
        BatchPointer pointer,
        ServedDays served,
        CancellationToken cancellationToken
    )
    {
        var dayPrefix = StorageLayout.Work.DayPartialsPrefix(view.Id);
        var listPrefix = StorageLayout.Work.ServedDaysPrefix(view.Id);
        var deleted = 0;
        await foreach (
            var blob in store
                .Work.GetBlobsAsync(
                    new GetBlobsOptions { Prefix = StorageLayout.Work.CumulativePrefix(view.Id) },
                    cancellationToken
                )
                .ConfigureAwait(false)
        )
        {
            var name = blob.Name;
            var file = Path.GetFileNameWithoutExtension(name); // {day}.{cutoff}, {cutoff}.from-{since} or {cutoff}
            var parts = file.Split('.');
            var cutoffText = name.StartsWith(dayPrefix, StringComparison.Ordinal) ? parts[^1] : parts[0];
            if (!long.TryParse(cutoffText, NumberStyles.None, CultureInfo.InvariantCulture, out var cutoff))
            {
                continue;
            }

            var unused =
                name.StartsWith(dayPrefix, StringComparison.Ordinal)
                    ? cutoff < pointer.Cutoff
                        && !(
                            DateTime.TryParseExact(
                                parts[0],
                                "yyyy-MM-dd",
                                CultureInfo.InvariantCulture,
                                DateTimeStyles.None,
                                out var day
                            )
                            && served.Days.TryGetValue(day, out var copy)
                            && copy.Cutoff == cutoff
                        )
                : name.StartsWith(listPrefix, StringComparison.Ordinal)
                    ? cutoff <= pointer.Cutoff && name != pointer.ServedDaysBlob
                : cutoff < pointer.Cutoff;
            if (
                unused
                && await store
                    .Work.GetBlobClient(name)
                    .DeleteIfExistsAsync(cancellationToken: cancellationToken)
                    .ConfigureAwait(false)
            )
            {
                deleted++;
            }
        }

        return deleted;
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
