using Azure;
using Azure.Data.Tables;
using Pipeline.Application.Storage;
using Pipeline.Domain.Views;
using Pipeline.Domain.Views.Specs;
using Pipeline.Storage.Tables;

namespace Pipeline.Application.Versions;

/// <summary>
/// Where versions are recorded, beside the pointers: when each version was first registered (the epoch
/// from which the speed layer maintains it) and each view's routing. A routing change is one
/// ETag-guarded write, so concurrent changes cannot interleave.
/// </summary>
public sealed class VersionStore(PipelineStore store, TimeProvider time)
{
    /// <summary>
    /// Records a version's registration with its spec unless the version is recorded; returns what is recorded
    /// (this registration, or the one another process or an earlier run made).
    /// </summary>
    /// <param name="spec">The version's spec.</param>
    /// <param name="epoch">The epoch from which the speed layer maintains it.</param>
    /// <param name="live">Whether events may be flowing as it is registered (over the API, rather than by a host
    /// before it ingests anything): then events of its first epoch may have been ingested without it.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    public async Task<VersionRegistration> RegisterAsync(
        ViewSpec spec,
        long epoch,
        bool live,
        CancellationToken cancellationToken = default
    )
    {
        ArgumentNullException.ThrowIfNull(spec);
        var row = Registration(spec.Id, epoch, live);
        row["Spec"] = spec.Document.ToArray();
        row["Hash"] = spec.Hash;
        try
        {
            await store.Pointers.AddEntityAsync(row, cancellationToken).ConfigureAwait(false);
            return VersionRegistration.From(row);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            var recorded = await store
                .Pointers.GetEntityOrNullAsync(
                    StorageLayout.Views.RegistrationPartition,
                    StorageLayout.Views.RowKey(spec.Id),
                    cancellationToken: cancellationToken
                )
                .ConfigureAwait(false);
            if (recorded is not null && recorded.GetString("Hash") is null)
            {
                // Recorded before registrations kept their specs: the spec it was registered with is this one.
                var attach = new TableEntity(recorded.PartitionKey, recorded.RowKey)
                {
                    ["Spec"] = row["Spec"],
                    ["Hash"] = spec.Hash,
                };
                await store
                    .Pointers.UpdateEntityAsync(attach, recorded.ETag, TableUpdateMode.Merge, cancellationToken)
                    .ConfigureAwait(false);
                recorded["Spec"] = row["Spec"];
                recorded["Hash"] = spec.Hash;
            }

            return VersionRegistration.From(recorded ?? row);
        }
    }

    /// <summary>
    /// Records the version as registered anew at <paramref name="epoch"/>, keeping its spec: after its data is
    /// dropped, the speed layer holds only what arrives from then on.
    /// </summary>
    public async Task ReregisterAsync(ViewVersion version, long epoch, CancellationToken cancellationToken = default) =>
        await store
            .Pointers.UpsertEntityAsync(
                Registration(version, epoch, live: true),
                TableUpdateMode.Merge,
                cancellationToken
            )
            .ConfigureAwait(false);

    /// <summary>The epoch from which the speed layer maintains the version, or null if it was never
    /// registered.</summary>
    public async Task<long?> RegisteredEpochAsync(ViewVersion version, CancellationToken cancellationToken = default) =>
        (await RegistrationAsync(version, cancellationToken).ConfigureAwait(false))?.Epoch;

    /// <summary>The version's registration, or null if it was never registered.</summary>
    public async Task<VersionRegistration?> RegistrationAsync(
        ViewVersion version,
        CancellationToken cancellationToken = default
    )
    {
        var row = await store
            .Pointers.GetEntityOrNullAsync(
                StorageLayout.Views.RegistrationPartition,
                StorageLayout.Views.RowKey(version),
                cancellationToken: cancellationToken
            )
            .ConfigureAwait(false);
        return row is null ? null : VersionRegistration.From(row);
    }

    /// <summary>Every registration ever recorded, dropped versions too (one query of one partition).</summary>
    public async Task<IReadOnlyList<VersionRegistration>> RegistrationsAsync(
        CancellationToken cancellationToken = default
    )
    {
        var all = new List<VersionRegistration>();
        var rows = store.Pointers.QueryAsync<TableEntity>(
            $"PartitionKey eq '{StorageLayout.Views.RegistrationPartition}'",
            cancellationToken: cancellationToken
        );
        await foreach (var row in rows.ConfigureAwait(false))
        {
            all.Add(VersionRegistration.From(row));
        }

        return all;
    }

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

    private TableEntity Registration(ViewVersion version, long epoch, bool live) =>
        new(StorageLayout.Views.RegistrationPartition, StorageLayout.Views.RowKey(version))
        {
            ["RegisteredEpoch"] = epoch,
            ["RegisteredAt"] = time.GetUtcNow(),
            ["Live"] = live,
        };
}

/// <summary>A version's registration as recorded.</summary>
/// <param name="Version">The view version.</param>
/// <param name="Epoch">The epoch from which the speed layer maintains it.</param>
/// <param name="Live">Whether it was registered while events may have been flowing (over the API, or anew after a
/// drop), so that events of its first epoch may have been ingested without it.</param>
/// <param name="Hash">Its spec's SHA-256 (lower-case hex); null for a registration recorded without its spec.</param>
/// <param name="Document">Its spec as registered; empty when recorded without it.</param>
public sealed record VersionRegistration(
    ViewVersion Version,
    long Epoch,
    bool Live,
    string? Hash,
    ReadOnlyMemory<byte> Document
)
{
    internal static VersionRegistration From(TableEntity row) =>
        new(
            ViewVersion.TryParse(row.RowKey, out var version)
                ? version.Value
                : throw new InvalidOperationException($"the registration row '{row.RowKey}' names no view version"),
            row.GetInt64("RegisteredEpoch") ?? 0,
            row.GetBoolean("Live") ?? false,
            row.GetString("Hash"),
            row.GetBinary("Spec") ?? ReadOnlyMemory<byte>.Empty
        );
}
