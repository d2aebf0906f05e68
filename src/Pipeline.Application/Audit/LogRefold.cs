using Pipeline.Application.Ingest;
using Pipeline.Application.RawLog;
using Pipeline.Application.Storage;
using Pipeline.Domain.Epochs;
using Pipeline.Domain.Events;
using Pipeline.Domain.Views;

namespace Pipeline.Application.Audit;

/// <summary>A partition whose raw log below the cutoff now holds fewer events than the batch view read from
/// it.</summary>
/// <param name="Partition">The partition.</param>
/// <param name="EventsWhenFolded">Events (distinct sequence numbers) the batch view read there.</param>
/// <param name="EventsNow">Events the log holds there now.</param>
public sealed record LogShortfall(int Partition, long EventsWhenFolded, long EventsNow);

/// <summary>
/// An audit's own pass over the raw log below a cutoff: every segment of every partition, folded with
/// the view's definition and the layers' de-duplication rules (a sequence number at or below the highest
/// read is a redelivery; a repeated (source, id) in a partition is a producer retry), in memory, with no
/// batch intermediate. It also counts each partition's events, to compare with what the batch view
/// read (a deleted or lost segment shows as a shortfall; sequence numbers alone would not tell, since
/// the dev host's numbering may skip after a crash). Given an epoch range, it also folds the events
/// ingested in that range apart, to compare with what the speed layer said for those epochs.
/// </summary>
internal static class LogRefold
{
    public static async Task<(
        ViewAccumulator Folded,
        ViewAccumulator InEpochs,
        long EventsRead,
        IReadOnlyList<LogShortfall> Shortfalls
    )> RunAsync(
        PipelineStore store,
        ViewDefinition view,
        long cutoff,
        IReadOnlyDictionary<int, long>? loggedEvents,
        (long From, long Until)? epochs,
        CancellationToken cancellationToken
    )
    {
        var segments = await RawSegments
            .ListAsync(store.Raw, 0, cutoff, partition: null, cancellationToken)
            .ConfigureAwait(false);

        var folded = new ViewAccumulator(view);
        var inEpochs = new ViewAccumulator(view);
        var shortfalls = new List<LogShortfall>();
        long read = 0;
        foreach (var partition in segments.Select(s => s.Partition).Union(loggedEvents?.Keys ?? []).Order())
        {
            var mine = segments
                .Where(s => s.Partition == partition)
                .OrderBy(s => s.First)
                .ThenBy(s => s.Name, StringComparer.Ordinal)
                .ToList();
            var identities = new HashSet<EventIdentity>();
            long highest = -1;
            long distinct = 0;
            foreach (var (name, epoch, _, _, _) in mine)
            {
                var counted = epochs is { } range && epoch >= range.From && epoch < range.Until;
                await RawSegmentReader
                    .ReadBlobAsync(
                        store.Raw,
                        name,
                        records =>
                        {
                            foreach (var record in records)
                            {
                                read++;
                                if (record.SequenceNumber <= highest)
                                {
                                    continue;
                                }

                                highest = record.SequenceNumber;
                                distinct++;
                                if (
                                    CloudEventParser.TryParse(
                                        record.Event,
                                        record.EnqueuedTime,
                                        out var cloudEvent,
                                        out _
                                    ) && identities.Add(EventIdentity.Of(cloudEvent))
                                )
                                {
                                    folded.Add(cloudEvent);
                                    if (counted)
                                    {
                                        inEpochs.Add(cloudEvent);
                                    }
                                }
                            }
                        },
                        cancellationToken
                    )
                    .ConfigureAwait(false);
            }

            if (loggedEvents is not null && distinct < loggedEvents.GetValueOrDefault(partition))
            {
                shortfalls.Add(new LogShortfall(partition, loggedEvents[partition], distinct));
            }
        }

        return (folded, inEpochs, read, shortfalls);
    }
}
