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
/// An audit's own pass over the raw log below a cutoff, folded with the view's definition and the layers'
/// de-duplication rules, in memory, with no batch intermediate: a sequence number at or below the highest read in
/// its partition is a redelivery; a copy of an event (source, id) enqueued within the retry horizon after another
/// copy, in any partition, is a producer retry. It reads the log epoch by epoch, every partition's segments of an
/// epoch together, and orders each epoch's events by enqueued time (then partition, then sequence number), so the
/// rule is applied in the order the batch layer applies it; it remembers identities for two horizons at most, and
/// holds one epoch's events. It also counts each partition's events, to compare with what the batch view read (a
/// deleted or lost segment shows as a shortfall; sequence numbers alone would not tell, since the dev host's
/// numbering may skip after a crash). Given an epoch range, it also folds the events ingested in that range apart,
/// to compare with what the speed layer said for those epochs.
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
        TimeSpan horizon,
        CancellationToken cancellationToken
    )
    {
        var segments = await RawSegments
            .ListAsync(store.Raw, 0, cutoff, partition: null, cancellationToken)
            .ConfigureAwait(false);

        var folded = new ViewAccumulator(view);
        var inEpochs = new ViewAccumulator(view);
        var highest = new Dictionary<int, long>();
        var distinct = new Dictionary<int, long>();
        var lastCopy = new Dictionary<EventIdentity, long>();
        long read = 0;
        long? forgottenBefore = null;
        var copies = new List<(long Ticks, int Partition, long Sequence, byte[] Event)>();
        foreach (var epoch in segments.GroupBy(s => s.Epoch).OrderBy(g => g.Key))
        {
            copies.Clear();
            foreach (
                var segment in epoch
                    .OrderBy(s => s.Partition)
                    .ThenBy(s => s.First)
                    .ThenBy(s => s.Name, StringComparer.Ordinal)
            )
            {
                var partition = segment.Partition;
                await RawSegmentReader
                    .ReadBlobAsync(
                        store.Raw,
                        segment.Name,
                        records =>
                        {
                            foreach (var record in records)
                            {
                                read++;
                                if (record.SequenceNumber <= highest.GetValueOrDefault(partition, -1))
                                {
                                    continue;
                                }

                                highest[partition] = record.SequenceNumber;
                                distinct[partition] = distinct.GetValueOrDefault(partition) + 1;
                                copies.Add(
                                    (
                                        record.EnqueuedTime.UtcTicks,
                                        partition,
                                        record.SequenceNumber,
                                        record.Event.ToArray()
                                    )
                                );
                            }
                        },
                        cancellationToken
                    )
                    .ConfigureAwait(false);
            }

            copies.Sort((a, b) => (a.Ticks, a.Partition, a.Sequence).CompareTo((b.Ticks, b.Partition, b.Sequence)));
            var counted = epochs is { } range && epoch.Key >= range.From && epoch.Key < range.Until;
            foreach (var (ticks, _, _, body) in copies)
            {
                if (
                    !CloudEventParser.TryParse(
                        body,
                        new DateTimeOffset(ticks, TimeSpan.Zero),
                        out var cloudEvent,
                        out _
                    )
                )
                {
                    continue;
                }

                var identity = EventIdentity.Of(cloudEvent);
                var retry = lastCopy.TryGetValue(identity, out var earlier) && ticks - earlier <= horizon.Ticks;
                lastCopy[identity] = ticks;
                if (!retry)
                {
                    folded.Add(cloudEvent);
                    if (counted)
                    {
                        inEpochs.Add(cloudEvent);
                    }
                }
            }

            // Identities whose latest copy is over a horizon old can no longer make a later copy a retry; forgetting
            // them once a horizon has passed keeps at most two horizons of them.
            if (
                copies.Count > 0
                && copies[^1].Ticks - horizon.Ticks is var forgetBefore
                && forgetBefore - (forgottenBefore ?? long.MinValue / 2) > horizon.Ticks
            )
            {
                foreach (var (identity, ticks) in lastCopy)
                {
                    if (ticks < forgetBefore)
                    {
                        lastCopy.Remove(identity);
                    }
                }

                forgottenBefore = forgetBefore;
            }
        }

        var shortfalls = new List<LogShortfall>();
        foreach (var partition in distinct.Keys.Union(loggedEvents?.Keys ?? []).Order())
        {
            var now = distinct.GetValueOrDefault(partition);
            if (loggedEvents is not null && now < loggedEvents.GetValueOrDefault(partition))
            {
                shortfalls.Add(new LogShortfall(partition, loggedEvents[partition], now));
            }
        }

        return (folded, inEpochs, read, shortfalls);
    }
}
