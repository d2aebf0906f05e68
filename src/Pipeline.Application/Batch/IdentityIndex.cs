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
    public static async Task<FingerprintSet> ReadAsync(PipelineStore store, int partition, long cutoff, CancellationToken cancellationToken)
    {
        if (cutoff <= 0)
        {
            return new FingerprintSet();
        }

        try
        {
            var content = (await store.Work.GetBlobClient(Name(partition, cutoff)).DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value.ToMemory();
            if (content.Length % 16 != 0)
            {
                throw new InvalidDataException($"identity index '{Name(partition, cutoff)}' is {content.Length} bytes, not a multiple of 16");
            }

            var set = new FingerprintSet(content.Length / 16);
            for (var offset = 0; offset < content.Length; offset += 16)
            {
                set.Add(BinaryPrimitives.ReadUInt128LittleEndian(content.Span[offset..]));
            }

            return set;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // The previous run wrote an index for every partition that had events; none means none.
            return new FingerprintSet();
        }
    }

    public static async Task WriteAsync(PipelineStore store, int partition, long cutoff, FingerprintSet identities, CancellationToken cancellationToken)
    {
        var sorted = identities.ToArray();
        Array.Sort(sorted);
        var content = new byte[sorted.Length * 16];
        for (var i = 0; i < sorted.Length; i++)
        {
            BinaryPrimitives.WriteUInt128LittleEndian(content.AsSpan(i * 16), sorted[i]);
        }

        await store.Work.GetBlobClient(Name(partition, cutoff)).UploadAsync(BinaryData.FromBytes(content), cancellationToken: cancellationToken).ConfigureAwait(false);
    }
}
