using Azure.Data.Tables;
using Pipeline.Application.Speed;
using Pipeline.Application.Storage;
using Pipeline.Domain.Epochs;
using Pipeline.Domain.Views;
using Pipeline.Storage.Tables;

namespace Pipeline.Application.Serving;

/// <summary>
/// Reads speed partials: one key's rows of every partition and epoch in one range query, or a window
/// range of keys with one scan over its days. Rows of the same epoch from different partitions are
/// merged into one contribution per epoch.
/// </summary>
internal sealed class SpeedViewReader(PipelineStore store)
{
    /// <summary>The speed contributions of one key, one per epoch.</summary>
    public async Task<IReadOnlyList<SpeedContribution>> ReadKeyAsync(
        ViewDefinition view,
        ViewKey key,
        CancellationToken cancellationToken
    )
    {
        var days = SpeedRows.DayPrefix(view, key.WindowStart);
        var rows = SpeedRows.KeyPrefix(view, key);
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey ge {days} and PartitionKey lt {days + "~"} and RowKey ge {rows} and RowKey lt {rows + "~"}"
        );
        var entities = await store
            .Speed.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken)
            .ToListAsync(cancellationToken)
            .ConfigureAwait(false);
        return ByEpoch(view, entities);
    }

    /// <summary>
    /// The speed contributions of every key whose window lies in [from, to] (and, for a dimension, has
    /// from's dimension), of epochs from <paramref name="since"/> on: rows below a batch cutoff are not
    /// read (the merge would ignore them), so a range after a commit does not carry the rows it retires.
    /// </summary>
    public async Task<IReadOnlyDictionary<ViewKey, IReadOnlyList<SpeedContribution>>> ReadRangeAsync(
        ViewDefinition view,
        ViewKey from,
        ViewKey to,
        long? since,
        CancellationToken cancellationToken
    )
    {
        var first = SpeedRows.DayPrefix(view, from.WindowStart);
        var last = SpeedRows.DayPrefix(view, to.WindowStart) + "~";
        var filter = since is { } epoch
            ? TableClient.CreateQueryFilter($"PartitionKey ge {first} and PartitionKey lt {last} and Epoch ge {epoch}")
            : TableClient.CreateQueryFilter($"PartitionKey ge {first} and PartitionKey lt {last}");
        var entities = await store
            .Speed.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken)
            .ToListAsync(cancellationToken)
            .ConfigureAwait(false);
        var result = new Dictionary<ViewKey, IReadOnlyList<SpeedContribution>>();
        foreach (var group in entities.GroupBy(e => e.GetString("Key") ?? string.Empty, StringComparer.Ordinal))
        {
            if (
                view.TryParseKey(group.Key, out var key, out _)
                && key.WindowStart >= from.WindowStart
                && key.WindowStart <= to.WindowStart
                && (from.Dimension is null || string.Equals(key.Dimension, from.Dimension, StringComparison.Ordinal))
            )
            {
                result[key] = ByEpoch(view, group);
            }
        }

        return result;
    }

    private static List<SpeedContribution> ByEpoch(ViewDefinition view, IEnumerable<TableEntity> entities) =>
        [
            .. entities
                .GroupBy(SpeedRows.EpochOf)
                .OrderBy(g => g.Key)
                .Select(g =>
                {
                    var merged = ViewPartial.Zero(view);
                    foreach (var row in g)
                    {
                        merged.MergeFrom(SpeedRows.PartialOf(row));
                    }

                    return new SpeedContribution(
                        g.Key,
                        merged,
                        g.Max(r => r.GetDateTimeOffset("UpdatedAt") ?? r.Timestamp ?? default)
                    );
                }),
        ];
}
