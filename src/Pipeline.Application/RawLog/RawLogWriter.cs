using System.Buffers;
using System.IO.Compression;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Pipeline.Application.Ingest;
using Pipeline.Application.Storage;

namespace Pipeline.Application.RawLog;

/// <summary>
/// Writes a batch's valid events to the raw log, one gzip NDJSON segment per epoch the batch spans,
/// created with <c>If-None-Match: *</c>: a redelivered batch finds its segment already there and
/// history is never rewritten.
/// </summary>
internal sealed class RawLogWriter(PipelineStore store)
{
    /// <summary>The metadata entry holding a segment's record count, which readers check (gzip alone does not reveal
    /// truncation).</summary>
    public const string RecordsMetadata = "records";

    /// <summary>Writes one segment; returns false when it already existed (a redelivery).</summary>
    public async Task<bool> WriteSegmentAsync(
        int partition,
        long epoch,
        IReadOnlyList<AcceptedEvent> events,
        CancellationToken cancellationToken
    )
    {
        var name = RawSegments.Name(epoch, partition, events[0].SequenceNumber, events[^1].SequenceNumber);
        var ndjson = new ArrayBufferWriter<byte>(events.Count * 200);
        foreach (var accepted in events)
        {
            RawRecordFormat.Write(
                ndjson,
                partition,
                accepted.SequenceNumber,
                accepted.EnqueuedTime,
                accepted.Event.Utf8.Span
            );
        }

        using var compressed = new MemoryStream(ndjson.WrittenCount / 4 + 64);
        await using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            await gzip.WriteAsync(ndjson.WrittenMemory, cancellationToken).ConfigureAwait(false);
        }

        compressed.Position = 0;
        try
        {
            var options = new BlobUploadOptions
            {
                HttpHeaders = new BlobHttpHeaders { ContentType = "application/x-ndjson", ContentEncoding = "gzip" },
                Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                Metadata = new Dictionary<string, string>
                {
                    [RecordsMetadata] = events.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                },
            };
            await store
                .Raw.GetBlobClient(name)
                .UploadAsync(compressed, options, cancellationToken)
                .ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // Same name means same partition and sequence range: the same events, already durable.
            return false;
        }
    }
}
