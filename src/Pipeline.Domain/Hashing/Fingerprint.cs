using System.IO.Hashing;

namespace Pipeline.Domain.Hashing;

/// <summary>
/// 128-bit fingerprints of values, for exact distinct counting without keeping the values: two
/// distinct values share a fingerprint with probability 2^-128, so among n values the chance of any
/// collision is about n²/2^129 (below 10^-20 for ten billion values).
/// </summary>
public static class Fingerprint
{
    private const long LowSeed = 0x243F_6A88_85A3_08D3;
    private const long HighSeed = 0x1319_8A2E_0370_7344;

    /// <summary>The fingerprint of a UTF-8 value. Its low 64 bits are the value's HyperLogLog hash.</summary>
    public static UInt128 Of(ReadOnlySpan<byte> utf8) =>
        new(XxHash64.HashToUInt64(utf8, HighSeed), XxHash64.HashToUInt64(utf8, LowSeed));

    /// <summary>The 64-bit hash a HyperLogLog uses for a fingerprinted value.</summary>
    public static ulong SketchHash(UInt128 fingerprint) => (ulong)fingerprint;

    /// <summary>The 64-bit HyperLogLog hash of a UTF-8 value: the low half of its fingerprint.</summary>
    public static ulong SketchHash(ReadOnlySpan<byte> utf8) => XxHash64.HashToUInt64(utf8, LowSeed);
}
