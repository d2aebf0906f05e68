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
    /// <summary>The name prefix of every identity index.</summary>
    public const string Prefix = "identities/";

    public static string Name(int partition, long cutoff) => string.Create(CultureInfo.InvariantCulture, $"{Prefix}{partition:D4}/{cutoff:D12}.bin");

    /// <summary>The identities below <paramref name="cutoff"/>; none for cutoff 0, or when the partition had no events then.</summary>
    public static Task<FingerprintSet> ReadAsync(PipelineStore store, int partition, long cutoff, CancellationToken cancellationToken) =>
        cutoff <= 0
            ? Task.FromResult(new FingerprintSet())
            : ReadBlobAsync(store, Name(partition, cutoff), cancellationToken, missingMeansNone: true);

    public static Task WriteAsync(PipelineStore store, int partition, long cutoff, FingerprintSet identities, CancellationToken cancellationToken) =>
        WriteBlobAsync(store, Name(partition, cutoff), identities, cancellationToken);

    /// <summary>A set of identities in this format from any blob (a missing one is an error unless <paramref name="missingMeansNone"/>).</summary>
    public static async Task<FingerprintSet> ReadBlobAsync(PipelineStore store, string name, CancellationToken cancellationToken, bool missingMeansNone = false)
    {
        try
        {
            var content = (await store.Work.GetBlobClient(name).DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value.ToMemory();
            if (content.Length % 16 != 0)
            {
                throw new InvalidDataException($"identity index '{name}' is {content.Length} bytes, not a multiple of 16");
            }

            var set = new FingerprintSet(content.Length / 16);
            for (var offset = 0; offset < content.Length; offset += 16)
            {
                set.Add(BinaryPrimitives.ReadUInt128LittleEndian(content.Span[offset..]));
            }

            return set;
        }
        catch (RequestFailedException ex) when (ex.Status == 404 && missingMeansNone)
        {
            // The previous run wrote an index for every partition that had events; none means none.
            return new FingerprintSet();
        }
    }

    /// <summary>Writes a set of identities, sorted, so equal sets give equal blobs.</summary>
    public static async Task WriteBlobAsync(PipelineStore store, string name, FingerprintSet identities, CancellationToken cancellationToken)
    {
        var sorted = identities.ToArray();
        Array.Sort(sorted);
        var content = new byte[sorted.Length * 16];
        for (var i = 0; i < sorted.Length; i++)
        {
            BinaryPrimitives.WriteUInt128LittleEndian(content.AsSpan(i * 16), sorted[i]);
        }

        await store.Work.GetBlobClient(name).UploadAsync(BinaryData.FromBytes(content), cancellationToken: cancellationToken).ConfigureAwait(false);
    }
}
