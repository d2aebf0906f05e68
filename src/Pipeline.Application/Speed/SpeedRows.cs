using System.Globalization;
using Azure.Data.Tables;
using Pipeline.Application.Storage;
using Pipeline.Domain.Aggregations;
using Pipeline.Domain.Views;
using Pipeline.Storage.Tables;

namespace Pipeline.Application.Speed;

/// <summary>
/// Where speed partials live. PartitionKey <c>{view@version}.{yyyy-MM-dd}.{partition:D4}</c>: one
/// batch's rows for a view and a day share it, so they are written in 100-entity transactions, and one
/// day of a view across all partitions is one contiguous PartitionKey range. RowKey
/// <c>{HH}{|dimension}@{epoch:D12}</c> (no hour for day windows): one key's rows, every epoch, are one
/// RowKey range. Each row holds the partial, its event counts, its epoch and the last sequence number
/// of its partition that it reflects.
/// </summary>
internal static class SpeedRows
{
    public static string PartitionKey(ViewDefinition view, DateTime windowStart, int partition) =>
        StorageLayout.Speed.PartitionKey(view.Id, windowStart, partition);

    /// <summary>The PartitionKey prefix of one view day across partitions (ends with a dot).</summary>
    public static string DayPrefix(ViewDefinition view, DateTime windowStart) =>
        StorageLayout.Speed.DayPrefix(view.Id, windowStart);

    /// <summary>The RowKey prefix of one key across epochs (ends with '@').</summary>
    public static string KeyPrefix(ViewDefinition view, ViewKey key)
    {
        // Rows are kept per day of the window's start; within the day, the start's time orders the row keys.
        var hour = view.Window switch
        {
            TimeWindow.Hour => key.WindowStart.ToString("HH", CultureInfo.InvariantCulture),
            TimeWindow.Minute => key.WindowStart.ToString("HHmm", CultureInfo.InvariantCulture),
            _ => string.Empty,
        };
        var dimension = key.Dimension is null ? string.Empty : "|" + StorageLayout.KeyPart(key.Dimension);
        return $"{hour}{dimension}@";
    }

    public static string RowKey(ViewDefinition view, ViewKey key, long epoch) =>
        StorageLayout.Speed.RowKey(KeyPrefix(view, key), epoch);

    public static TableEntity ToEntity(
        string partitionKey,
        string rowKey,
        ViewKey key,
        long epoch,
        ViewPartial partial,
        long lastSequence,
        ViewDefinition view,
        DateTimeOffset updatedAt
    )
    {
        var entity = new TableEntity(partitionKey, rowKey)
        {
            ["Key"] = key.Format(view.Window),
            ["Epoch"] = epoch,
            ["Events"] = partial.Events,
            ["EventsTimedByEnqueue"] = partial.EventsTimedByEnqueue,
            ["LastSequence"] = lastSequence,
            ["UpdatedAt"] = updatedAt,
        };
        StateColumns.Write(entity, partial.State);
        if (partial.Skipped > 0)
        {
            entity["Skipped"] = partial.Skipped;
        }

        return entity;
    }

    public static ViewPartial PartialOf(TableEntity entity) =>
        new(
            StateColumns.Read(entity),
            entity.GetInt64("Events") ?? 0,
            entity.GetInt64("EventsTimedByEnqueue") ?? 0,
            entity.GetInt64("Skipped") ?? 0
        );

    public static long EpochOf(TableEntity entity) => entity.GetInt64("Epoch") ?? -1;

    public static long LastSequenceOf(TableEntity entity) => entity.GetInt64("LastSequence") ?? -1;
}
