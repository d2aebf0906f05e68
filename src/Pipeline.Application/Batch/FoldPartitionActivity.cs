using System.Globalization;
using System.Text.Json;
using Pipeline.Application.Ingest;
using Pipeline.Application.Orchestration;
using Pipeline.Application.Storage;
using Pipeline.Domain.Epochs;
using Pipeline.Domain.Events;
using Pipeline.Domain.Hashing;
using Pipeline.Domain.Views;
using Pipeline.Storage.Blobs;

namespace Pipeline.Application.Batch;

/// <summary>Input of <see cref="FoldPartitionActivity"/>.</summary>
/// <param name="View">The view.</param>
/// <param name="Version">The version.</param>
/// <param name="Cutoff">Fold the epochs below this.</param>
/// <param name="Partition">The partition.</param>
/// <param name="Operation">The operation (names the partials blob).</param>
/// <param name="Since">Fold only epochs from this one (0: all), starting from the identities seen below it.</param>
public sealed record FoldPartitionInput(string View, int Version, long Cutoff, int Partition, string Operation, long Since = 0);

/// <summary>
/// Folds one partition's raw log below the cutoff with the same view definition the speed layer uses,
/// streaming each segment. Exact de-duplication: segments are read in sequence order and an event at or
/// below the highest sequence number already read is a redelivery; an event whose (source, id) was
/// already read is a producer retry (retries keep their partition key, so they stay in the partition,
/// however far apart they arrive). Writes the partition's partials to a blob named by the operation, so a
/// repeated run writes the same content to the same place. Incremental: it folds only the epochs from
/// <see cref="FoldPartitionInput.Since"/>, starting from the identities the partition had seen below it
/// (kept by the previous run, 16 bytes an event), and keeps the identities seen below the new cutoff
/// for the next run. Redelivery needs no such memory: sequence numbers grow with epochs.
/// </summary>
internal sealed class FoldPartitionActivity(PipelineStore store, ViewRegistry registry) : IActivity
{
    public const string ActivityName = "fold-partition";

    public string Name => ActivityName;

    public async Task<object?> RunAsync(JsonElement input, CancellationToken cancellationToken)
    {
        var request = input.Deserialize<FoldPartitionInput>(ApiJson.Options)!;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var view = RegisteredViews.Require(registry, request.View, request.Version);

        var segments = new List<(string Name, long First)>();
        foreach (var prefix in RawSegments.EpochRangePrefixes(request.Since, request.Cutoff - 1))
        {
            await foreach (var blob in store.Raw.GetBlobsAsync(prefix, cancellationToken).ConfigureAwait(false))
            {
                if (RawSegments.TryParse(blob.Name, out var epoch, out var partition, out var first, out _)
                    && partition == request.Partition && epoch >= request.Since && epoch < request.Cutoff)
                {
                    segments.Add((blob.Name, first));
                }
            }
        }

        var accumulator = new ViewAccumulator(view);
        var identities = await IdentityIndex.ReadAsync(store, request.Partition, request.Since, cancellationToken).ConfigureAwait(false);
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

        await IdentityIndex.WriteAsync(store, request.Partition, request.Cutoff, identities, cancellationToken).ConfigureAwait(false);
        var blobName = string.Create(CultureInfo.InvariantCulture, $"{request.Operation}/partition-{request.Partition:D4}.partials");
        await store.Work.GetBlobClient(blobName).UploadAsync(BinaryData.FromBytes(PartialsFile.Write(view, accumulator.Partials)), cancellationToken: cancellationToken).ConfigureAwait(false);
        return new PartitionFold(request.Partition, segments.Count, read, redelivered, retries, highest, blobName, watch.Elapsed.TotalSeconds);
    }
}
