using Azure.Data.Tables;
using Azure.Storage.Blobs.Models;
using Pipeline.Application.Batch;
using Pipeline.Application.Storage;
using Pipeline.Domain.Views;
using Pipeline.Storage.Tables;

namespace Pipeline.Application.Versions;

/// <summary>What dropping a version removed.</summary>
public sealed record DropResult(string View, int Version, int BatchRows, int SpeedRows, int WorkBlobs);

/// <summary>
/// Drops a view version that no reader uses: deletes its batch rows (every cutoff), speed rows, pointer
/// and intermediate blobs. A version with weight or in shadow is refused. The definition stays in code;
/// remove it from <c>Pipeline:ExtraVersions</c> too, or the speed layer keeps maintaining it: from the
/// drop on, as a version registered then, so it is not caught up (and its answers say so) until a replay.
/// </summary>
public sealed class VersionDropper(PipelineStore store, VersionService versions, ViewRegistry registry)
{
    /// <summary>Drops the version; returns what was deleted, or a refusal (404, 409).</summary>
    public async Task<(DropResult? Result, int Status, string? Error)> DropAsync(string name, int version, CancellationToken cancellationToken = default)
    {
        if (!registry.TryGet(name, version, out var view))
        {
            return (null, 404, $"view '{name}' has no version {version}");
        }

        var routing = await versions.ServingRoutingAsync(name, cancellationToken).ConfigureAwait(false);
        if (routing.Weights.GetValueOrDefault(version) > 0 || routing.Shadow == version)
        {
            return (null, 409, $"version {version} of '{name}' serves readers ({routing.FormatWeights()}{(routing.Shadow is { } s ? $", shadow {s}" : string.Empty)}): move them off it first");
        }

        var prefix = $"{view.Name}.{view.Version}.";
        var batch = await DeleteRowsAsync(store.Batch, prefix, cancellationToken).ConfigureAwait(false);
        var speed = await DeleteRowsAsync(store.Speed, prefix, cancellationToken).ConfigureAwait(false);
        try
        {
            await store.Pointers.DeleteEntityAsync("pointer", $"{view.Name}.{view.Version}", cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 404)
        {
            // Never committed.
        }
        var blobs = 0;
        foreach (var blobPrefix in new[] { $"recompute.{prefix}", $"replay.{prefix}", $"{Speed.RetiredSpeedRecords.Kind}.{prefix}", Batch.WriteBatchViewActivity.CumulativePrefix(view) })
        {
            await foreach (var blob in store.Work.GetBlobsAsync(new GetBlobsOptions { Prefix = blobPrefix }, cancellationToken).ConfigureAwait(false))
            {
                blobs += await store.Work.GetBlobClient(blob.Name).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false) ? 1 : 0;
            }
        }

        // Registered anew as of the end of the deletion: rows of that epoch written before it may be gone.
        await versions.ReregisterAsync(view, cancellationToken).ConfigureAwait(false);
        return (new DropResult(view.Name, view.Version, batch, speed, blobs), 200, null);
    }

    private static async Task<int> DeleteRowsAsync(TableClient table, string prefix, CancellationToken cancellationToken)
    {
        var rows = await table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey ge {prefix} and PartitionKey lt {prefix + "~"}"), select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return await table.DeleteRowsAsync(rows, cancellationToken).ConfigureAwait(false);
    }
}
