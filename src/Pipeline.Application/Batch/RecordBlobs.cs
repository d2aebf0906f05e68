using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Pipeline.Application.Batch;

/// <summary>
/// Blobs of fixed-size binary records (identity copies, identity indexes, exclusions), written and read through a
/// small buffer: memory stays at the caller's own array, however many records a blob holds, and a reader fetches
/// only the range of records it needs.
/// </summary>
internal static class RecordBlobs
{
    private const int BufferBytes = 1 << 16;

    /// <summary>Writes the records, each encoded by <paramref name="encode"/> into its
    /// <paramref name="recordSize"/> bytes.</summary>
    public static async Task WriteAsync<T>(
        BlobClient blob,
        IReadOnlyList<T> records,
        int recordSize,
        Action<T, Span<byte>> encode,
        CancellationToken cancellationToken
    )
    {
        var buffer = new byte[BufferBytes - (BufferBytes % recordSize)];
        var stream = await blob.OpenWriteAsync(overwrite: true, cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var used = 0;
            for (var i = 0; i < records.Count; i++)
            {
                if (used == buffer.Length)
                {
                    await stream.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
                    used = 0;
                }

                encode(records[i], buffer.AsSpan(used, recordSize));
                used += recordSize;
            }

            await stream.WriteAsync(buffer.AsMemory(0, used), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Writes the records in one upload, so a reader sees all of them or none (an overwrite of equal content
    /// never shows a reader an empty or partial blob). Memory: the encoded records.</summary>
    public static Task WriteWholeAsync<T>(
        BlobClient blob,
        IReadOnlyList<T> records,
        int recordSize,
        Action<T, Span<byte>> encode,
        CancellationToken cancellationToken
    )
    {
        var content = new byte[(long)records.Count * recordSize];
        for (var i = 0; i < records.Count; i++)
        {
            encode(records[i], content.AsSpan(i * recordSize, recordSize));
        }

        return blob.UploadAsync(BinaryData.FromBytes(content), overwrite: true, cancellationToken);
    }

    /// <summary>Reads records [<paramref name="first"/>, <paramref name="first"/> + <paramref name="count"/>),
    /// handing each one's bytes to <paramref name="decode"/>; a missing blob is an error unless <paramref
    /// name="missingMeansNone"/>.</summary>
    public static async Task ReadAsync(
        BlobClient blob,
        long first,
        long count,
        int recordSize,
        Action<ReadOnlySpan<byte>> decode,
        CancellationToken cancellationToken,
        bool missingMeansNone = false
    )
    {
        if (count <= 0)
        {
            return;
        }

        Response<BlobDownloadStreamingResult> download;
        try
        {
            download = await blob.DownloadStreamingAsync(
                    new BlobDownloadOptions { Range = new HttpRange(first * recordSize, count * recordSize) },
                    cancellationToken
                )
                .ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404 && missingMeansNone)
        {
            return;
        }

        var buffer = new byte[BufferBytes - (BufferBytes % recordSize)];
        var stream = download.Value.Content;
        await using (stream.ConfigureAwait(false))
        {
            long read = 0;
            var held = 0;
            while (read < count)
            {
                var got = await stream.ReadAsync(buffer.AsMemory(held), cancellationToken).ConfigureAwait(false);
                if (got == 0)
                {
                    throw new InvalidDataException(
                        $"'{blob.Name}' ended after {read} of the {count} records asked for from record {first}"
                    );
                }

                held += got;
                var whole = held - (held % recordSize);
                for (var offset = 0; offset < whole && read < count; offset += recordSize, read++)
                {
                    decode(buffer.AsSpan(offset, recordSize));
                }

                held -= whole;
                buffer.AsSpan(whole, held).CopyTo(buffer);
            }
        }
    }

    /// <summary>How many records a blob holds (0 when it does not exist and <paramref
    /// name="missingMeansNone"/>).</summary>
    public static async Task<long> CountAsync(
        BlobClient blob,
        int recordSize,
        CancellationToken cancellationToken,
        bool missingMeansNone = false
    )
    {
        try
        {
            var size = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
                .Value
                .ContentLength;
            return size % recordSize == 0
                ? size / recordSize
                : throw new InvalidDataException(
                    $"'{blob.Name}' is {size} bytes, not a whole number of {recordSize}-byte records"
                );
        }
        catch (RequestFailedException ex) when (ex.Status == 404 && missingMeansNone)
        {
            return 0;
        }
    }
}
