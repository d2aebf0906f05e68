using Azure.Data.Tables;
using Azure.Storage.Blobs.Models;
using Pipeline.Application.Operations;
using Pipeline.Application.Outcomes;
using Pipeline.Application.Storage;
using Pipeline.Domain.Views;
using Pipeline.Storage.Tables;

namespace Pipeline.Application.Versions;

/// <summary>What dropping a version removed.</summary>
public sealed record DropResult(string View, int Version, int BatchRows, int SpeedRows, int WorkBlobs);

/// <summary>
/// Drops a view version that no reader uses: deletes its batch rows (every cutoff), speed rows, pointer
/// and intermediate blobs. A version with weight or in shadow is refused. A version still registered is
/// maintained by the speed layer again from the drop on, as a version registered then, so it is not caught
/// up (and its answers say so) until a replay.
/// </summary>
public sealed class VersionDropper(
    PipelineStore store,
    RoutingService routing,
    VersionRegistrations registrations,
    RunStarter runs
)
{
    /// <summary>Drops the version; returns what was deleted. A version being recomputed or replayed is
    /// refused.</summary>
    public async Task<Outcome<DropResult>> DropAsync(
        Microsoft.DurableTask.Client.DurableTaskClient orchestrations,
        string name,
        int version,
        CancellationToken cancellationToken = default
    )
    {
        if (!routing.Registry.TryGet(name, version, out var view))
        {
            return routing.Registry.Versions(name).Count == 0
                ? routing.UnknownView<DropResult>(name)
                : Outcome<DropResult>.NotFound($"view '{name}' has no version {version}");
        }

        var served = await routing.ServingRoutingAsync(name, cancellationToken).ConfigureAwait(false);
        if (served.Weights.GetValueOrDefault(version) > 0 || served.Shadow == version)
        {
            var shadow = served.Shadow is { } s ? $", shadow {s}" : string.Empty;
            return Outcome<DropResult>.Conflict(
                $"{view.Id} serves readers ({served.FormatWeights()}{shadow}): move them off it first"
            );
        }

        if (await runs.RunningAsync(orchestrations, view.Id, cancellationToken).ConfigureAwait(false) is { } running)
        {
            return Outcome<DropResult>.Conflict(
                $"{view.Id} is being rebuilt by {running.InstanceId}: cancel it first "
                    + $"(POST /api/operations/{running.InstanceId}/cancel)"
            );
        }

        var batch = await DeleteRowsAsync(store.Batch, StorageLayout.Batch.VersionPrefix(view.Id), cancellationToken)
            .ConfigureAwait(false);
        var speed = await DeleteRowsAsync(store.Speed, StorageLayout.Speed.VersionPrefix(view.Id), cancellationToken)
            .ConfigureAwait(false);
        try
        {
            await store
                .Pointers.DeleteEntityAsync(
                    StorageLayout.Views.PointerPartition,
                    StorageLayout.Views.RowKey(view.Id),
                    cancellationToken: cancellationToken
                )
                .ConfigureAwait(false);
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 404)
        {
            // Never committed.
        }

        var blobs = 0;
        var prefixes = new[]
        {
            OperationIds.Prefix(OperationKind.Recompute, view.Name, view.Version),
            OperationIds.Prefix(OperationKind.Replay, view.Name, view.Version),
            StorageLayout.Work.SpeedSaidPrefix(view.Id),
            StorageLayout.Work.CumulativePrefix(view.Id),
        };
        foreach (var prefix in prefixes)
        {
            await foreach (
                var blob in store
                    .Work.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix }, cancellationToken)
                    .ConfigureAwait(false)
            )
            {
                blobs += await store
                    .Work.GetBlobClient(blob.Name)
                    .DeleteIfExistsAsync(cancellationToken: cancellationToken)
                    .ConfigureAwait(false)
                    ? 1
                    : 0;
            }
        }

        // Registered anew as of the end of the deletion: rows of that epoch written before it may be gone.
        await registrations.ReregisterAsync(view, cancellationToken).ConfigureAwait(false);
        return Outcome<DropResult>.Ok(new DropResult(view.Name, view.Version, batch, speed, blobs));
    }

    private static async Task<int> DeleteRowsAsync(
        TableClient table,
        string prefix,
        CancellationToken cancellationToken
    )
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {prefix} and PartitionKey lt {prefix + "~"}");
        var rows = await table
            .QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken)
            .ToListAsync(cancellationToken)
            .ConfigureAwait(false);
        return await table.DeleteRowsAsync(rows, cancellationToken).ConfigureAwait(false);
    }
}
