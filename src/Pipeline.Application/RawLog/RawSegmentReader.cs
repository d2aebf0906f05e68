using System.IO.Compression;

namespace Pipeline.Application.RawLog;

/// <summary>
/// Streams the records of a gzip NDJSON raw segment, chunk by chunk: memory stays at about one
/// read buffer however large the segment is. A segment that is not valid gzip, ends inside a line, or
/// holds another number of records than its metadata says (a truncated gzip stream can otherwise read
/// as shorter without any error) is reported as an <see cref="InvalidDataException"/> naming it.
/// </summary>
public static class RawSegmentReader
{
    /// <summary>Downloads and reads a segment, checking its record count.</summary>
    public static async Task ReadBlobAsync(
        Azure.Storage.Blobs.BlobContainerClient container,
        string segmentName,
        Action<IReadOnlyList<RawRecord>> onRecords,
        CancellationToken cancellationToken = default
    )
    {
        ArgumentNullException.ThrowIfNull(container);
        using var download = (
            await container
                .GetBlobClient(segmentName)
                .DownloadStreamingAsync(cancellationToken: cancellationToken)
                .ConfigureAwait(false)
        ).Value;
        if (
            !download.Details.Metadata.TryGetValue(RawLogWriter.RecordsMetadata, out var declared)
            || !long.TryParse(declared, System.Globalization.CultureInfo.InvariantCulture, out var expected)
        )
        {
            throw new InvalidDataException(
                $"raw segment '{segmentName}' has no record count in its metadata, so it cannot be verified; it was "
                    + $"not written by the pipeline or was replaced"
            );
        }

        long read = 0;
        await ReadAsync(
                download.Content,
                segmentName,
                records =>
                {
                    read += records.Count;
                    onRecords(records);
                },
                cancellationToken
            )
            .ConfigureAwait(false);
        if (read != expected)
        {
            throw new InvalidDataException(
                $"raw segment '{segmentName}' holds {read} records but was written with {expected}: it is truncated "
                    + $"or damaged"
            );
        }
    }

    private const int ChunkBytes = 256 * 1024;

    /// <summary>Reads every record; <paramref name="onRecords"/> gets them a chunk at a time (valid only during the
    /// call).</summary>
    public static async Task ReadAsync(
        Stream gzip,
        string segmentName,
        Action<IReadOnlyList<RawRecord>> onRecords,
        CancellationToken cancellationToken = default
    )
    {
        ArgumentNullException.ThrowIfNull(gzip);
        ArgumentNullException.ThrowIfNull(onRecords);
        var buffer = new byte[ChunkBytes];
        var filled = 0;
        var records = new List<RawRecord>(1024);
        try
        {
            await using var inflate = new GZipStream(gzip, CompressionMode.Decompress, leaveOpen: true);
            while (true)
            {
                if (filled == buffer.Length)
                {
                    // One line larger than the buffer: grow to hold it (an event is at most 1 MiB).
                    Array.Resize(ref buffer, buffer.Length * 2);
                }

                var read = await inflate.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                filled += read;
                var consumed = 0;
                while (true)
                {
                    var newline = buffer.AsSpan(consumed, filled - consumed).IndexOf((byte)'\n');
                    if (newline < 0)
                    {
                        break;
                    }

                    if (newline > 0)
                    {
                        records.Add(RawRecordFormat.Read(buffer.AsMemory(consumed, newline)));
                    }

                    consumed += newline + 1;
                }

                if (records.Count > 0)
                {
                    onRecords(records);
                    records.Clear();
                }

                buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
                filled -= consumed;
            }
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"raw segment '{segmentName}' cannot be read: {ex.Message}", ex);
        }

        if (filled > 0)
        {
            throw new InvalidDataException($"raw segment '{segmentName}' is truncated: it ends inside a line");
        }
    }
}
