using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Pipeline.Application.Ingest;
using Pipeline.Application.Storage;
using Pipeline.Application.Time;
using Pipeline.Domain.Views;
using Pipeline.Storage.Tables;

namespace Pipeline.Application.Speed;

/// <summary>
/// Applies a batch to the speed views of every registered view version, pre-aggregated: the batch is
/// folded into one delta per (view, key, epoch) first, so storage work grows with distinct keys, not
/// with events. Each row stores its partial together with the last sequence number it reflects, and is
/// written conditionally (its ETag, or create-only), in 100-entity transactions per PartitionKey. So
/// re-applying events a row already reflects changes nothing, and two owners of a partition cannot
/// both apply the same events: the loser's write fails, it re-reads and finds them applied.
/// </summary>
internal sealed partial class SpeedLayerWriter(
    PipelineStore store,
    ViewRegistry registry,
    Versions.SpecRegistry? specs,
    PipelineClock clock,
    ILogger<SpeedLayerWriter> logger
)
{
    private const int MaxAttempts = 8;
    private const int ParallelTransactions = 8;

    public async Task ApplyAsync(
        PartitionSpeedCache cache,
        int partition,
        IReadOnlyList<AcceptedEvent> events,
        CancellationToken cancellationToken
    )
    {
        if (events.Count == 0)
        {
            return;
        }

        var first = events[0].SequenceNumber;
        var last = events[^1].SequenceNumber;
        if (specs is not null)
        {
            // Every version registered before these epochs began is known before any of their events is applied.
            var newest = events[0].Epoch;
            foreach (var accepted in events)
            {
                newest = Math.Max(newest, accepted.Epoch);
            }

            await specs.SyncThroughAsync(newest, cancellationToken).ConfigureAwait(false);
        }

        cache.DropEpochsBefore(events[0].Epoch);
        var pending = Fold(partition, events, registry.All);
        for (var attempt = 1; pending.Count > 0; attempt++)
        {
            await LoadAsync(cache, pending, events[0].Epoch, cancellationToken).ConfigureAwait(false);
            var chunks = Prepare(cache, pending, events, first, last, clock.UtcNow);
            var outcomes = await SubmitAsync(chunks, cancellationToken).ConfigureAwait(false);
            pending = [];
            foreach (var (chunk, responses) in outcomes.Where(o => o.Responses is not null))
            {
                for (var i = 0; i < chunk.Count; i++)
                {
                    var row = chunk[i];
                    cache.Set(
                        row.Work.PartitionKey,
                        row.Work.RowKey,
                        new CachedRow(row.Partial, responses![i].Headers.ETag ?? default, last, row.Work.Epoch)
                    );
                }
            }

            foreach (var (chunk, _) in outcomes.Where(o => o.Responses is null))
            {
                // Someone else wrote one of these rows: forget the PartitionKey and start over from storage.
                cache.Forget(chunk[0].Work.PartitionKey);
                pending.AddRange(chunk.Select(c => c.Work));
            }

            if (pending.Count > 0 && attempt >= MaxAttempts)
            {
                throw new InvalidOperationException(
                    $"speed rows of partition {partition} kept changing under this writer after {attempt} attempts"
                );
            }

            if (pending.Count > 0)
            {
                LogConflict(partition, pending.Count, attempt);
            }
        }
    }

    /// <summary>One delta per (view, key, epoch), skipping producer retries.</summary>
    private static List<RowWork> Fold(
        int partition,
        IReadOnlyList<AcceptedEvent> events,
        IReadOnlyList<ViewDefinition> views
    )
    {
        var accumulators = new Dictionary<(int View, long Epoch), ViewAccumulator>();
        foreach (var accepted in events)
        {
            if (accepted.IsProducerRetry)
            {
                continue;
            }

            for (var v = 0; v < views.Count; v++)
            {
                if (!accumulators.TryGetValue((v, accepted.Epoch), out var accumulator))
                {
                    accumulators[(v, accepted.Epoch)] = accumulator = new ViewAccumulator(views[v]);
                }

                accumulator.Add(accepted.Event);
            }
        }

        var work = new List<RowWork>();
        foreach (var ((view, epoch), accumulator) in accumulators)
        {
            foreach (var (key, delta) in accumulator.Partials)
            {
                var definition = views[view];
                work.Add(
                    new RowWork(
                        definition,
                        key,
                        epoch,
                        delta,
                        SpeedRows.PartitionKey(definition, key.WindowStart, partition),
                        SpeedRows.RowKey(definition, key, epoch)
                    )
                );
            }
        }

        return work;
    }

    private async Task LoadAsync(
        PartitionSpeedCache cache,
        List<RowWork> work,
        long fromEpoch,
        CancellationToken cancellationToken
    )
    {
        var missing = work.Select(w => w.PartitionKey)
            .Distinct(StringComparer.Ordinal)
            .Where(pk => !cache.IsLoaded(pk))
            .ToList();
        var loaded = await Task.WhenAll(
                missing.Select(async pk =>
                {
                    var filter = TableClient.CreateQueryFilter($"PartitionKey eq {pk} and Epoch ge {fromEpoch}");
                    var rows = await store
                        .Speed.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken)
                        .ToListAsync(cancellationToken)
                        .ConfigureAwait(false);
                    return (pk, rows);
                })
            )
            .ConfigureAwait(false);
        foreach (var (pk, rows) in loaded)
        {
            cache.MarkLoaded(pk);
            foreach (var row in rows)
            {
                cache.Set(
                    pk,
                    row.RowKey,
                    new CachedRow(
                        SpeedRows.PartialOf(row),
                        row.ETag,
                        SpeedRows.LastSequenceOf(row),
                        SpeedRows.EpochOf(row)
                    )
                );
            }
        }
    }

    /// <summary>Merges each delta into its row's partial and groups the writes into transactions.</summary>
    private static List<List<PreparedRow>> Prepare(
        PartitionSpeedCache cache,
        List<RowWork> work,
        IReadOnlyList<AcceptedEvent> events,
        long first,
        long last,
        DateTimeOffset updatedAt
    )
    {
        var prepared = new List<PreparedRow>();
        foreach (var row in work)
        {
            var cached = cache.Get(row.PartitionKey, row.RowKey);
            if (cached is not null && cached.LastSequence >= last)
            {
                continue;
            }

            var delta =
                cached is not null && cached.LastSequence >= first
                    ? Refold(row, events, cached.LastSequence)
                    : row.Delta;
            if (delta is null)
            {
                continue;
            }

            // A new partial, never the cached one merged in place: if the write fails, nothing of it may
            // survive in the cache, or the batch delivered again would be counted twice.
            var partial = ViewPartial.Zero(row.View);
            if (cached is not null)
            {
                partial.MergeFrom(cached.Partial);
            }

            partial.MergeFrom(delta);

            prepared.Add(new PreparedRow(row, partial, cached?.ETag, last, Entity(row, partial, last, updatedAt)));
        }

        return TableRules.Transactions(prepared, p => p.Entity);
    }

    /// <summary>The delta of one row from only the events after the position it already reflects.</summary>
    private static ViewPartial? Refold(RowWork row, IReadOnlyList<AcceptedEvent> events, long after)
    {
        var accumulator = new ViewAccumulator(row.View);
        foreach (var accepted in events)
        {
            if (accepted.SequenceNumber > after && !accepted.IsProducerRetry && accepted.Epoch == row.Epoch)
            {
                accumulator.Add(accepted.Event);
            }
        }

        return accumulator.Partials.GetValueOrDefault(row.Key);
    }

    private async Task<List<(List<PreparedRow> Chunk, IReadOnlyList<Response>? Responses)>> SubmitAsync(
        List<List<PreparedRow>> chunks,
        CancellationToken cancellationToken
    )
    {
        var outcomes = new (List<PreparedRow>, IReadOnlyList<Response>?)[chunks.Count];
        await Parallel
            .ForEachAsync(
                Enumerable.Range(0, chunks.Count),
                new ParallelOptions
                {
                    MaxDegreeOfParallelism = ParallelTransactions,
                    CancellationToken = cancellationToken,
                },
                async (i, ct) =>
                {
                    var chunk = chunks[i];
                    var actions = chunk.Select(p =>
                        p.ETag is { } etag
                            ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, p.Entity, etag)
                            : new TableTransactionAction(TableTransactionActionType.Add, p.Entity)
                    );
                    try
                    {
                        var response = await store
                            .Speed.SubmitCheckedTransactionAsync(actions, ct)
                            .ConfigureAwait(false);
                        outcomes[i] = (chunk, response.Value);
                    }
                    catch (RequestFailedException ex) when (ex.Status is 404 or 409 or 412)
                    {
                        outcomes[i] = (chunk, null);
                    }
                }
            )
            .ConfigureAwait(false);
        return [.. outcomes];
    }

    private static TableEntity Entity(RowWork row, ViewPartial partial, long lastSequence, DateTimeOffset updatedAt) =>
        SpeedRows.ToEntity(
            row.PartitionKey,
            row.RowKey,
            row.Key,
            row.Epoch,
            partial,
            lastSequence,
            row.View,
            updatedAt
        );

    [LoggerMessage(
        Level = LogLevel.Information,
        Message = "Speed rows of partition {Partition} changed concurrently; re-reading {Rows} rows (attempt {Attempt})"
    )]
    private partial void LogConflict(int partition, int rows, int attempt);

    private sealed record RowWork(
        ViewDefinition View,
        ViewKey Key,
        long Epoch,
        ViewPartial Delta,
        string PartitionKey,
        string RowKey
    );

    private sealed record PreparedRow(
        RowWork Work,
        ViewPartial Partial,
        ETag? ETag,
        long LastSequence,
        TableEntity Entity
    );
}
