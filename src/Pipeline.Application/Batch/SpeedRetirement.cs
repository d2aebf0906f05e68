using Azure.Data.Tables;
using Pipeline.Application.Speed;
using Pipeline.Application.Storage;
using Pipeline.Application.Versions;
using Pipeline.Domain.Views;
using Pipeline.Storage.Tables;

namespace Pipeline.Application.Batch;

/// <summary>
/// Retires speed data that a committed batch view has made redundant: rows of epochs below the pointer's
/// cutoff. Only after the commit, and only once the commit is older than the grace period, so that a
/// query that read the previous pointer a moment ago still finds the speed rows it needs. Before
/// deleting, it keeps what those rows said per key (<see cref="RetiredSpeedRecords"/>) for audits;
/// rows of the version's registration epoch are left out of that record, since the speed layer only
/// saw the part of that epoch after the version was registered. Once a cutoff's rows are gone no new
/// ones appear below it (its epochs are sealed), so each process retires each commit once.
/// </summary>
public sealed class SpeedRetirement(PipelineStore store, PointerStore pointers, VersionStore versions)
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string View, int Version), long> _retiredAt =
        new();

    /// <summary>Deletes the view version's retired speed rows; returns how many.</summary>
    public async Task<int> RetireAsync(
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
            || _retiredAt.GetValueOrDefault((view.Name, view.Version), -1) == pointer.Cutoff
        )
        {
            return 0;
        }

        var prefix = StorageLayout.Speed.VersionPrefix(view.Id);
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey ge {prefix} and PartitionKey lt {prefix + "~"} and Epoch lt {pointer.Cutoff}"
        );
        var retired = await store
            .Speed.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken)
            .ToListAsync(cancellationToken)
            .ConfigureAwait(false);
        if (retired.Count > 0)
        {
            await KeepWhatTheySaidAsync(view, pointer.Cutoff, retired, cancellationToken).ConfigureAwait(false);
            await store.Speed.DeleteRowsAsync(retired, cancellationToken).ConfigureAwait(false);
        }

        _retiredAt[(view.Name, view.Version)] = pointer.Cutoff;
        return retired.Count;
    }

    private async Task KeepWhatTheySaidAsync(
        ViewDefinition view,
        long cutoff,
        List<TableEntity> rows,
        CancellationToken cancellationToken
    )
    {
        var registered =
            await versions.RegisteredEpochAsync(view.Id, cancellationToken).ConfigureAwait(false) ?? long.MinValue;
        var said = new ViewAccumulator(view);
        var from = long.MaxValue;
        foreach (var row in rows)
        {
            var epoch = SpeedRows.EpochOf(row);
            if (epoch > registered && view.TryParseKey(row.GetString("Key"), out var key, out _))
            {
                said.Merge(key, SpeedRows.PartialOf(row));
                from = Math.Min(from, epoch);
            }
        }

        if (said.Partials.Count > 0)
        {
            await RetiredSpeedRecords
                .KeepAsync(store, view, from, cutoff, said, cancellationToken)
                .ConfigureAwait(false);
        }
    }
}
