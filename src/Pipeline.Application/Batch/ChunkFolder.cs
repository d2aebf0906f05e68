using Pipeline.Application.Ingest;
using Pipeline.Application.Storage;
using Pipeline.Domain.Epochs;
using Pipeline.Domain.Events;
using Pipeline.Domain.Hashing;
using Pipeline.Domain.Views;

namespace Pipeline.Application.Batch;

/// <summary>What folding one chunk found.</summary>
/// <param name="Partials">The chunk's partials per key.</param>
/// <param name="Identities">The identities of the events it counted (and of those it was told were seen before).</param>
/// <param name="Segments">Segments read.</param>
/// <param name="Read">Records read.</param>
/// <param name="Redelivered">Records dropped as redeliveries.</param>
/// <param name="Retries">Events dropped as producer retries.</param>
/// <param name="LastSequence">The highest sequence number read (-1: none).</param>
internal sealed record ChunkFoldResult(ViewAccumulator Partials, FingerprintSet Identities, int Segments, long Read, long Redelivered, long Retries, long LastSequence);

/// <summary>
/// Folds one partition's raw segments of an epoch range with the view definition the speed layer uses,
/// streaming each segment, in sequence order. Exact de-duplication within the range: an event at or
/// below the highest sequence number already read is a redelivery; an event whose (source, id) was
/// already read, or is among <c>seenBefore</c>, is a producer retry.
/// </summary>
internal static class ChunkFolder
{
    public static async Task<ChunkFoldResult> FoldAsync(
        PipelineStore store, ViewDefinition view, int partition, long fromEpoch, long untilEpoch, FingerprintSet seenBefore, CancellationToken cancellationToken)
    {
        var segments = new List<(string Name, long First)>();
        foreach (var prefix in RawSegments.EpochRangePrefixes(fromEpoch, untilEpoch - 1))
        {
            await foreach (var blob in store.Raw.GetBlobsAsync(prefix, cancellationToken).ConfigureAwait(false))
            {
                if (RawSegments.TryParse(blob.Name, out var epoch, out var segmentPartition, out var first, out _)
                    && segmentPartition == partition && epoch >= fromEpoch && epoch < untilEpoch)
                {
                    segments.Add((blob.Name, first));
                }
            }
        }

        var accumulator = new ViewAccumulator(view);
        var identities = seenBefore;
        long read = 0, redelivered = 0, retries = 0, highest = -1;
        foreach (var (name, _) in segments.OrderBy(s => s.First).ThenBy(s => s.Name, StringComparer.Ordinal))
        {
            await RawSegmentReader.ReadBlobAsync(store.Raw, name, records =>
            {
                foreach (var record in records)
                {
                    read++;
                    if (record.SequenceNumber <= highest)
                    {
                        redelivered++;
                        continue;
                    }

                    highest = record.SequenceNumber;
                    if (!CloudEventParser.TryParse(record.Event, record.EnqueuedTime, out var cloudEvent, out var rejection))
                    {
                        throw new InvalidDataException($"raw segment '{name}' holds an event that no longer parses at sequence {record.SequenceNumber}: {rejection}");
                    }

                    var identity = EventIdentity.Of(cloudEvent);
                    var before = identities.Count;
                    identities.Add(new UInt128(identity.High, identity.Low));
                    if (identities.Count == before)
                    {
                        retries++;
                        continue;
                    }

                    accumulator.Add(cloudEvent);
                }
            }, cancellationToken).ConfigureAwait(false);
        }

        return new ChunkFoldResult(accumulator, identities, segments.Count, read, redelivered, retries, highest);
    }
}
