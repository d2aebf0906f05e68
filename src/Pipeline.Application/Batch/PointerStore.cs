using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Pipeline.Application.Storage;
using Pipeline.Domain.Views;
using Pipeline.Storage.Tables;

namespace Pipeline.Application.Batch;

/// <summary>
/// The view pointers: per view version, which batch view serves (its cutoff and coverage). A batch view
/// becomes visible only through one ETag-guarded write here, and a pointer never moves back to an older
/// cutoff, so a slow or repeated run cannot undo a newer one.
/// </summary>
public sealed class PointerStore(PipelineStore store)
{
    /// <summary>The committed pointer of a view version, or null before its first batch view.</summary>
    public async Task<BatchPointer?> GetAsync(ViewVersion version, CancellationToken cancellationToken = default)
    {
        var row = await store
            .Pointers.GetEntityOrNullAsync(
                StorageLayout.Views.PointerPartition,
                StorageLayout.Views.RowKey(version),
                cancellationToken: cancellationToken
            )
            .ConfigureAwait(false);
        return row is null ? null : FromEntity(row);
    }

    /// <summary>Moves the pointer to <paramref name="next"/> unless an equal or newer cutoff is committed; returns
    /// whether it moved.</summary>
    public async Task<(bool Moved, BatchPointer Pointer)> CommitAsync(
        BatchPointer next,
        CancellationToken cancellationToken = default
    )
    {
        ArgumentNullException.ThrowIfNull(next);
        var key = StorageLayout.Views.RowKey(new ViewVersion(next.View, next.Version));
        return await OptimisticConcurrency
            .RetryAsync(
                async attempt =>
                {
                    var row = await store
                        .Pointers.GetEntityOrNullAsync(
                            StorageLayout.Views.PointerPartition,
                            key,
                            cancellationToken: cancellationToken
                        )
                        .ConfigureAwait(false);
                    if (row is not null && FromEntity(row) is { } current && current.Cutoff >= next.Cutoff)
                    {
                        return (false, current);
                    }

                    _ = row is null
                        ? await store.Pointers.AddEntityAsync(ToEntity(next), cancellationToken).ConfigureAwait(false)
                        : await store
                            .Pointers.UpdateEntityAsync(
                                ToEntity(next),
                                row.ETag,
                                TableUpdateMode.Replace,
                                cancellationToken
                            )
                            .ConfigureAwait(false);
                    return (true, next);
                },
                cancellationToken
            )
            .ConfigureAwait(false);
    }

    private static TableEntity ToEntity(BatchPointer pointer) =>
        new(
            StorageLayout.Views.PointerPartition,
            StorageLayout.Views.RowKey(new ViewVersion(pointer.View, pointer.Version))
        )
        {
            ["Cutoff"] = pointer.Cutoff,
            ["Operation"] = pointer.Operation,
            ["Rows"] = pointer.Rows,
            ["Events"] = pointer.Events,
            ["DuplicatesRemoved"] = pointer.DuplicatesRemoved,
            ["LastSequences"] = JsonSerializer.Serialize(pointer.LastSequences, ApiJson.Options),
            ["CommittedAt"] = pointer.CommittedAt,
            ["Timings"] = pointer.Timings is null ? null : JsonSerializer.Serialize(pointer.Timings, ApiJson.Options),
            ["LoggedEvents"] = pointer.LoggedEvents is null
                ? null
                : JsonSerializer.Serialize(pointer.LoggedEvents, ApiJson.Options),
            ["IdentityShards"] = pointer.IdentityShards,
            ["IdentityEntries"] = pointer.IdentityEntries,
            ["RetryHorizonSeconds"] = pointer.RetryHorizon is { } horizon ? (long)horizon.TotalSeconds : null,
            ["ServedDays"] = pointer.ServedDaysBlob,
        };

    private static BatchPointer FromEntity(TableEntity row)
    {
        var version = ViewVersion.TryParse(row.RowKey, out var parsed)
            ? parsed.Value
            : throw new InvalidDataException($"pointer row '{row.RowKey}' names no view version");
        return new BatchPointer(
            version.Name,
            version.Version,
            row.GetInt64("Cutoff") ?? 0,
            row.GetString("Operation") ?? string.Empty,
            row.GetInt64("Rows") ?? 0,
            row.GetInt64("Events") ?? 0,
            row.GetInt64("DuplicatesRemoved") ?? 0,
            JsonSerializer.Deserialize<Dictionary<int, long>>(row.GetString("LastSequences") ?? "{}", ApiJson.Options)
                ?? [],
            row.GetDateTimeOffset("CommittedAt") ?? default,
            row.GetString("Timings") is { } timings
                ? JsonSerializer.Deserialize<BatchTimings>(timings, ApiJson.Options)
                : null,
            row.GetString("LoggedEvents") is { } logged
                ? JsonSerializer.Deserialize<Dictionary<int, long>>(logged, ApiJson.Options)
                : null,
            row.GetInt32("IdentityShards") ?? 0,
            row.GetInt64("IdentityEntries") ?? 0,
            row.GetInt64("RetryHorizonSeconds") is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
            row.GetString("ServedDays")
        );
    }
}
