using System.Globalization;
using Azure.Data.Tables;
using Pipeline.Application.Speed;
using Pipeline.Application.Storage;
using Pipeline.Domain.Aggregations;
using Pipeline.Domain.Views;
using Pipeline.Storage.Tables;

namespace Pipeline.Application.Batch;

/// <summary>
/// Where batch views live: PartitionKey <c>{view@version}.{cutoff:D12}.{yyyy-MM-dd}</c> (a batch view per
/// cutoff, written beside the serving one, so a commit is only the pointer's move), RowKey
/// <c>{HH}{|dimension}@</c> as in the speed table. One key is one point read; a range of days is one
/// PartitionKey range.
/// </summary>
internal static class BatchRows
{
    public static string DayPrefix(ViewDefinition view, long cutoff) =>
        StorageLayout.Batch.CutoffPrefix(view.Id, cutoff);

    public static string PartitionKey(ViewDefinition view, long cutoff, DateTime windowStart) =>
        StorageLayout.Batch.PartitionKey(view.Id, cutoff, windowStart);

    public static string RowKey(ViewDefinition view, ViewKey key) => SpeedRows.KeyPrefix(view, key);

    public static TableEntity ToEntity(ViewDefinition view, long cutoff, ViewKey key, ViewPartial partial)
    {
        var entity = new TableEntity(PartitionKey(view, cutoff, key.WindowStart), RowKey(view, key))
        {
            ["Key"] = key.Format(view.Window),
            ["Events"] = partial.Events,
            ["EventsTimedByEnqueue"] = partial.EventsTimedByEnqueue,
        };
        StateColumns.Write(entity, partial.State);
        if (partial.Skipped > 0)
        {
            entity["Skipped"] = partial.Skipped;
        }

        return entity;
    }

    public static ViewPartial PartialOf(TableEntity row) => SpeedRows.PartialOf(row);
}
