using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Pipeline.Application.Storage;
using Pipeline.Storage.Tables;

namespace Pipeline.Application.Batch;

/// <summary>
/// The view pointers: per view version, which batch view serves (its cutoff and coverage). A batch view
/// becomes visible only through one ETag-guarded write here, and a pointer never moves back to an older
/// cutoff, so a slow or repeated run cannot undo a newer one.
/// </summary>
public sealed class PointerStore(PipelineStore store)
{
    private const string PartitionKey = "pointer";

    /// <summary>The committed pointer of a view version, or null before its first batch view.</summary>
    public async Task<BatchPointer?> GetAsync(string view, int version, CancellationToken cancellationToken = default)
    {
        var row = await store.Pointers.GetEntityOrNullAsync(PartitionKey, RowKey(view, version), cancellationToken: cancellationToken).ConfigureAwait(false);
        return row is null ? null : FromEntity(row);
    }

    /// <summary>Moves the pointer to <paramref name="next"/> unless an equal or newer cutoff is committed; returns whether it moved.</summary>
    public async Task<(bool Moved, BatchPointer Pointer)> CommitAsync(BatchPointer next, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(next);
        for (var attempt = 0; ; attempt++)
        {
            var row = await store.Pointers.GetEntityOrNullAsync(PartitionKey, RowKey(next.View, next.Version), cancellationToken: cancellationToken).ConfigureAwait(false);
            if (row is not null && FromEntity(row) is { } current && current.Cutoff >= next.Cutoff)
            {
                return (false, current);
            }

            var entity = ToEntity(next);
            try
            {
                if (row is null)
                {
                    await store.Pointers.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await store.Pointers.UpdateEntityAsync(entity, row.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                }

                return (true, next);
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412 && attempt < 5)
            {
                // Someone else committed meanwhile: look again.
            }
        }
    }

    private static string RowKey(string view, int version) => string.Create(CultureInfo.InvariantCulture, $"{view}.{version}");

    private static TableEntity ToEntity(BatchPointer pointer) => new(PartitionKey, RowKey(pointer.View, pointer.Version))
    {
        ["Cutoff"] = pointer.Cutoff,
        ["Operation"] = pointer.Operation,
        ["Rows"] = pointer.Rows,
        ["Events"] = pointer.Events,
        ["DuplicatesRemoved"] = pointer.DuplicatesRemoved,
        ["LastSequences"] = JsonSerializer.Serialize(pointer.LastSequences, ApiJson.Options),
        ["CommittedAt"] = pointer.CommittedAt,
        ["Timings"] = pointer.Timings is null ? null : JsonSerializer.Serialize(pointer.Timings, ApiJson.Options),
        ["LoggedEvents"] = pointer.LoggedEvents is null ? null : JsonSerializer.Serialize(pointer.LoggedEvents, ApiJson.Options),
    };

    private static BatchPointer FromEntity(TableEntity row)
    {
        var dot = row.RowKey.LastIndexOf('.');
        return new BatchPointer(
            row.RowKey[..dot],
            int.Parse(row.RowKey[(dot + 1)..], CultureInfo.InvariantCulture),
            row.GetInt64("Cutoff") ?? 0,
            row.GetString("Operation") ?? string.Empty,
            row.GetInt64("Rows") ?? 0,
            row.GetInt64("Events") ?? 0,
            row.GetInt64("DuplicatesRemoved") ?? 0,
            JsonSerializer.Deserialize<Dictionary<int, long>>(row.GetString("LastSequences") ?? "{}", ApiJson.Options) ?? [],
            row.GetDateTimeOffset("CommittedAt") ?? default,
            row.GetString("Timings") is { } timings ? JsonSerializer.Deserialize<BatchTimings>(timings, ApiJson.Options) : null,
            row.GetString("LoggedEvents") is { } logged ? JsonSerializer.Deserialize<Dictionary<int, long>>(logged, ApiJson.Options) : null);
    }
}
