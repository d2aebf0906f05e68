using System.IO.Hashing;
using Pipeline.Domain.Events;

namespace Pipeline.Domain.Epochs;

/// <summary>
/// The identity of an event for de-duplicating producer retries: CloudEvents says (<c>source</c>,
/// <c>id</c>) is unique per distinct event. Kept as a 128-bit hash so that it has a fixed size in
/// memory and storage; two distinct events collide with probability about n²/2^129 (below 10^-24
/// for a billion events).
/// </summary>
public readonly record struct EventIdentity(ulong High, ulong Low)
{
    private const long HighSeed = 0x5EED_0001_C10D_E7E1;
    private const long LowSeed = 0x5EED_0002_C10D_E7E1;

    /// <summary>The identity of an event.</summary>
    public static EventIdentity Of(in CloudEvent cloudEvent) => Of(cloudEvent.Source, cloudEvent.Id);

    /// <summary>The identity of a (<c>source</c>, <c>id</c>) pair given as UTF-8.</summary>
    public static EventIdentity Of(ReadOnlySpan<byte> source, ReadOnlySpan<byte> id)
    {
        // Length-prefixing the source keeps ("ab","c") and ("a","bc") apart.
        var length = source.Length + id.Length + 4;
        Span<byte> buffer = length <= 1024 ? stackalloc byte[length] : new byte[length];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(buffer, source.Length);
        source.CopyTo(buffer[4..]);
        id.CopyTo(buffer[(4 + source.Length)..]);
        return new(XxHash64.HashToUInt64(buffer, HighSeed), XxHash64.HashToUInt64(buffer, LowSeed));
    }

    /// <summary>Which of <paramref name="buckets"/> hash buckets the identity falls into.</summary>
    public int Bucket(int buckets) => (int)(High % (ulong)buckets);

    /// <summary>32 hex digits.</summary>
    public override string ToString() => $"{High:x16}{Low:x16}";
}
