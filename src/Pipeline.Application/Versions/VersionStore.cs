using Azure;
using Azure.Data.Tables;
using Pipeline.Application.Storage;
using Pipeline.Domain.Views;
using Pipeline.Storage.Tables;

namespace Pipeline.Application.Versions;

/// <summary>
/// Where versions are recorded, beside the pointers: when each version was first registered (the epoch
/// from which the speed layer maintains it) and each view's routing. A routing change is one
/// ETag-guarded write, so concurrent changes cannot interleave.
/// </summary>
public sealed class VersionStore(PipelineStore store, TimeProvider time)
{
    /// <summary>Records a version's registration epoch unless one is recorded; returns the recorded epoch.</summary>
    public async Task<long> RegisterAsync(
        ViewVersion version,
        long epoch,
        CancellationToken cancellationToken = default
    )
    {
        try
        {
            await store.Pointers.AddEntityAsync(Registration(version, epoch), cancellationToken).ConfigureAwait(false);
            return epoch;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return await RegisteredEpochAsync(version, cancellationToken).ConfigureAwait(false) ?? epoch;
        }
    }

    /// <summary>
    /// Records the version as registered anew at <paramref name="epoch"/>, whatever was recorded: after its
    /// data is dropped, the speed layer holds only what arrives from then on.
    /// </summary>
    public async Task ReregisterAsync(ViewVersion version, long epoch, CancellationToken cancellationToken = default) =>
        await store
            .Pointers.UpsertEntityAsync(Registration(version, epoch), TableUpdateMode.Replace, cancellationToken)
            .ConfigureAwait(false);

    /// <summary>The epoch from which the speed layer maintains the version, or null if it was never
    /// registered.</summary>
    public async Task<long?> RegisteredEpochAsync(ViewVersion version, CancellationToken cancellationToken = default) =>
        (
            await store
                .Pointers.GetEntityOrNullAsync(
                    StorageLayout.Views.RegistrationPartition,
                    StorageLayout.Views.RowKey(version),
                    cancellationToken: cancellationToken
                )
                .ConfigureAwait(false)
        )?.GetInt64("RegisteredEpoch");

    /// <summary>The view's routing and its ETag, or null when none was ever set.</summary>
    public async Task<(VersionRouting Routing, ETag ETag)?> GetRoutingAsync(
        string view,
        CancellationToken cancellationToken = default
    )
    {
        var row = await store
            .Pointers.GetEntityOrNullAsync(
                StorageLayout.Views.RoutingPartition,
                view,
                cancellationToken: cancellationToken
            )
            .ConfigureAwait(false);
        if (row is null || !VersionRouting.TryParseWeights(row.GetString("Weights"), out var weights, out _))
        {
            return null;
        }

        return (new VersionRouting(weights, row.GetInt32("Shadow")), row.ETag);
    }

    /// <summary>Writes the routing if it is still the one read (<paramref name="ifMatch"/>; default: none may exist
    /// yet).</summary>
    /// <exception cref="RequestFailedException">412 or 409: it changed meanwhile.</exception>
    public async Task SetRoutingAsync(
        string view,
        VersionRouting routing,
        ETag? ifMatch,
        CancellationToken cancellationToken = default
    )
    {
        ArgumentNullException.ThrowIfNull(routing);
        var row = new TableEntity(StorageLayout.Views.RoutingPartition, view)
        {
            ["Weights"] = routing.FormatWeights(),
            ["Shadow"] = routing.Shadow,
            ["UpdatedAt"] = time.GetUtcNow(),
        };
        _ = ifMatch is { } etag
            ? await store
                .Pointers.UpdateEntityAsync(row, etag, TableUpdateMode.Replace, cancellationToken)
                .ConfigureAwait(false)
            : await store.Pointers.AddEntityAsync(row, cancellationToken).ConfigureAwait(false);
    }

    private TableEntity Registration(ViewVersion version, long epoch) =>
        new(StorageLayout.Views.RegistrationPartition, StorageLayout.Views.RowKey(version))
        {
            ["RegisteredEpoch"] = epoch,
            ["RegisteredAt"] = time.GetUtcNow(),
        };
}
