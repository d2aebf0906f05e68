using Pipeline.Application.Ingest;
using Pipeline.Application.RawLog;
using Pipeline.Application.Storage;
using Pipeline.Domain.Epochs;
using Pipeline.Domain.Events;
using Pipeline.Domain.Hashing;
using Pipeline.Domain.Views;

namespace Pipeline.Application.Batch;

/// <summary>One part of a chunk's fold: its partials per key and the identities of the events it read.</summary>
/// <param name="Partials">The partials.</param>
/// <param name="Identities">The identities of the events it counted or dropped as retries.</param>
/// <param name="Retries">Events it dropped as producer retries.</param>
internal sealed record FoldedPart(ViewAccumulator Partials, FingerprintSet Identities, long Retries);

/// <summary>What folding one chunk found, in two parts: its head (the first records) and the rest.</summary>
/// <param name="Head">The records up to <paramref name="HeadLastSequence"/>.</param>
/// <param name="Body">The records after it.</param>
/// <param name="HeadLastSequence">The last sequence number of the head (-1: empty).</param>
/// <param name="Segments">Segments read.</param>
/// <param name="Read">Records read.</param>
/// <param name="Redelivered">Records dropped as redeliveries.</param>
/// <param name="LastSequence">The highest sequence number read (-1: none).</param>
internal sealed record ChunkFoldResult(
    FoldedPart Head,
    FoldedPart Body,
    long HeadLastSequence,
    int Segments,
    long Read,
    long Redelivered,
    long LastSequence
);

/// <summary>
/// Folds one chunk of a partition's raw segments with the view definition the speed layer uses,
/// streaming each segment, in sequence order. Exact de-duplication within the range: an event at or
/// below the highest sequence number already read is a redelivery; an event whose (source, id) was
/// already read in the chunk is a producer retry (a chunk spans at most the retry horizon, so every copy in it is
/// within the horizon of the first), and so is an event whose sequence number is in <c>exclude</c> (the settle
/// step found an earlier copy elsewhere). The first segments, up to <c>headRecords</c> records, are folded apart as
/// the head: a retry of an event in an earlier chunk usually follows its original closely, so it lands in the
/// head, and only the head needs folding again. Given <c>copies</c>, it lists every event read there (redeliveries
/// apart) for the settle step.
/// </summary>
internal static class ChunkFolder
{
    public static async Task<ChunkFoldResult> FoldAsync(
        PipelineStore store,
        ViewDefinition view,
        FoldChunk chunk,
        IReadOnlySet<long> exclude,
        long headRecords,
        List<IdentityCopy>? copies,
        long lastSequence = long.MaxValue,
        CancellationToken cancellationToken = default
    )
    {
        var (fromEpoch, untilEpoch) = chunk.ListedEpochs;
        var segments = (
            await RawSegments
                .ListAsync(store.Raw, fromEpoch, untilEpoch, chunk.Partition, cancellationToken)
                .ConfigureAwait(false)
        )
            .Where(s => s.First <= lastSequence)
            .ToList();

        var head = new FoldedPart(new ViewAccumulator(view), new FingerprintSet(), 0);
        var body = new FoldedPart(new ViewAccumulator(view), new FingerprintSet(), 0);
        var part = head;
        long read = 0,
            redelivered = 0,
            headRetries = 0,
            bodyRetries = 0,
            highest = -1,
            headLast = -1;
        foreach (
            var name in segments.OrderBy(s => s.First).ThenBy(s => s.Name, StringComparer.Ordinal).Select(s => s.Name)
        )
        {
            if (ReferenceEquals(part, head) && read >= headRecords && read > 0)
            {
                // The head ends at a segment boundary, named by sequence number so that a refold finds the same
                // records.
                headLast = highest;
                part = body;
            }

            await RawSegmentReader
                .ReadBlobAsync(
                    store.Raw,
                    name,
                    records =>
                    {
                        foreach (var record in records)
                        {
                            if (record.SequenceNumber > lastSequence)
                            {
                                break;
                            }

                            read++;
                            if (record.SequenceNumber <= highest)
                            {
                                redelivered++;
                                continue;
                            }

                            highest = record.SequenceNumber;
                            if (
                                !CloudEventParser.TryParse(
                                    record.Event,
                                    record.EnqueuedTime,
                                    out var cloudEvent,
                                    out var rejection
                                )
                            )
                            {
                                throw new InvalidDataException(
                                    $"raw segment '{name}' holds an event that no longer parses at sequence "
                                        + $"{record.SequenceNumber}: {rejection}"
                                );
                            }

                            var identity = EventIdentity.Of(cloudEvent);
                            var fingerprint = new UInt128(identity.High, identity.Low);
                            copies?.Add(
                                new IdentityCopy(fingerprint, record.EnqueuedTime.UtcTicks, record.SequenceNumber)
                            );
                            var before = part.Identities.Count;
                            if (
                                (!ReferenceEquals(part, head) && head.Identities.Contains(fingerprint))
                                || Add(part.Identities, fingerprint) == before
                                || (exclude.Count > 0 && exclude.Contains(record.SequenceNumber))
                            )
                            {
                                _ = ReferenceEquals(part, head) ? headRetries++ : bodyRetries++;
                                continue;
                            }

                            part.Partials.Add(cloudEvent);
                        }
                    },
                    cancellationToken
                )
                .ConfigureAwait(false);
        }

        headLast = ReferenceEquals(part, head) ? highest : headLast;
        return new ChunkFoldResult(
            head with
            {
                Retries = headRetries,
            },
            body with
            {
                Retries = bodyRetries,
            },
            headLast,
            segments.Count,
            read,
            redelivered,
            highest
        );
    }

    private static int Add(FingerprintSet set, UInt128 fingerprint)
    {
        set.Add(fingerprint);
        return set.Count;
    }
}
