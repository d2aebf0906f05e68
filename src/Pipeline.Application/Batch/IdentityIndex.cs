using System.Buffers.Binary;
using System.Globalization;
using Azure;
using Pipeline.Application.Storage;
using Pipeline.Domain.Hashing;

namespace Pipeline.Application.Batch;

/// <summary>
/// Per partition, the identities (source, id) of every event below a cutoff: sorted 16-byte values in
/// one blob, <c>identities/{partition:D4}/{cutoff:D12}.bin</c>. The same for every view, so all views'
/// recomputes at one cutoff write the same content to the same place.
/// </summary>
internal static class IdentityIndex
{
    public static string Name(int partition, long cutoff) => StorageLayout.Work.Identities(partition, cutoff);

    /// <summary>The identities below <paramref name="cutoff"/>; none for cutoff 0, or when the partition had no events
    /// then.</summary>
    public static Task<FingerprintSet> ReadAsync(
        PipelineStore store,
        int partition,
        long cutoff,
        CancellationToken cancellationToken
    ) =>
        cutoff <= 0
            ? Task.FromResult(new FingerprintSet())
            : ReadBlobAsync(store, Name(partition, cutoff), cancellationToken, missingMeansNone: true);

    public static Task WriteAsync(
        PipelineStore store,
        int partition,
        long cutoff,
        FingerprintSet identities,
        CancellationToken cancellationToken
    ) => WriteBlobAsync(store, Name(partition, cutoff), identities, cancellationToken);

    /// <summary>A set of identities in this format from any blob (a missing one is an error unless <paramref
    /// name="missingMeansNone"/>).</summary>
    public static async Task<FingerprintSet> ReadBlobAsync(
        PipelineStore store,
        string name,
        CancellationToken cancellationToken,
        bool missingMeansNone = false
    )
    {
        try
        {
            var content = (
                await store.Work.GetBlobClient(name).DownloadContentAsync(cancellationToken).ConfigureAwait(false)
            ).Value.Content.ToMemory();
            if (content.Length % 16 != 0)
            {
                throw new InvalidDataException(
                    $"identity index '{name}' is {content.Length} bytes, not a multiple of 16"
                );
            }

            return Read(content.Span);
        }
        catch (RequestFailedException ex) when (ex.Status == 404 && missingMeansNone)
        {
            // The previous run wrote an index for every partition that had events; none means none.
            return new FingerprintSet();
        }
    }

    /// <summary>Writes a set of identities, sorted, so equal sets give equal blobs.</summary>
    public static Task WriteBlobAsync(
        PipelineStore store,
        string name,
        FingerprintSet identities,
        CancellationToken cancellationToken
    )
    {
        var content = new byte[identities.Count * 16];
        WriteSorted(identities, content);
        return store
            .Work.GetBlobClient(name)
            .UploadAsync(BinaryData.FromBytes(content), overwrite: true, cancellationToken);
    }

    /// <summary>Writes two sets in one blob: the first set's size, then each set sorted.</summary>
    public static Task WritePairAsync(
        PipelineStore store,
        string name,
        FingerprintSet first,
        FingerprintSet second,
        CancellationToken cancellationToken
    )
    {
        var content = new byte[8 + ((first.Count + second.Count) * 16)];
        BinaryPrimitives.WriteInt64LittleEndian(content, first.Count);
        WriteSorted(first, content.AsSpan(8));
        WriteSorted(second, content.AsSpan(8 + (first.Count * 16)));
        return store
            .Work.GetBlobClient(name)
            .UploadAsync(BinaryData.FromBytes(content), overwrite: true, cancellationToken);
    }

    /// <summary>Reads two sets written by <see cref="WritePairAsync"/>.</summary>
    public static async Task<(FingerprintSet First, FingerprintSet Second)> ReadPairAsync(
        PipelineStore store,
        string name,
        CancellationToken cancellationToken
    )
    {
        var content = (
            await store.Work.GetBlobClient(name).DownloadContentAsync(cancellationToken).ConfigureAwait(false)
        ).Value.Content.ToMemory();
        var firstCount = content.Length >= 8 ? BinaryPrimitives.ReadInt64LittleEndian(content.Span) : -1;
        if (firstCount < 0 || (content.Length - 8) % 16 != 0 || firstCount > (content.Length - 8) / 16)
        {
            throw new InvalidDataException($"identities '{name}' are damaged ({content.Length} bytes)");
        }

        return (Read(content.Span.Slice(8, (int)firstCount * 16)), Read(content.Span[(8 + ((int)firstCount * 16))..]));
    }

    private static FingerprintSet Read(ReadOnlySpan<byte> content)
    {
        var set = new FingerprintSet(content.Length / 16);
        for (var offset = 0; offset < content.Length; offset += 16)
        {
            set.Add(BinaryPrimitives.ReadUInt128LittleEndian(content[offset..]));
        }

        return set;
    }

    private static void WriteSorted(FingerprintSet identities, Span<byte> destination)
    {
        var sorted = identities.ToArray();
        Array.Sort(sorted);
        for (var i = 0; i < sorted.Length; i++)
        {
            BinaryPrimitives.WriteUInt128LittleEndian(destination[(i * 16)..], sorted[i]);
        }
    }
}
