using System.IO.Hashing;
using System.Text;
using Pipeline.Domain.Epochs;
using Pipeline.Domain.Hashing;

namespace Pipeline.Domain.Tests.Hashing;

/// <summary>
/// Stored HyperLogLog sketches, distinct-count fingerprints and identity indexes hold xxHash64 values:
/// if the hash changed (another library, another seed handling), stored state would silently stop
/// matching new state. These vectors pin the values.
/// </summary>
public class XxHash64Tests
{
    [Theory]
    [InlineData("", 0L, 0xEF46DB3751D8E999UL)]
    [InlineData("abc", 0L, 0x44BC2CF5AD770999UL)]
    [InlineData("Nobody inspects the spammish repetition", 0L, 0xFBCEA83C8A378BF1UL)]
    [InlineData("abc", 0x243F_6A88_85A3_08D3L, 0xF67C2831D39FDF5AUL)]
    [InlineData("abc", 0x1319_8A2E_0370_7344L, 0x7F8FF5FC1C5DDB4CUL)]
    [InlineData("user-42", 0x5EED_0001_C10D_E7E1L, 0x3D89A1FB9D14502CUL)]
    [InlineData(
        "a fairly long value over thirty-two bytes, for the striped path",
        0x5EED_0002_C10D_E7E1L,
        0xD17BDB70F8E5B0A3UL
    )]
    public void Hash_MatchesReferenceVectors(string text, long seed, ulong expected)
    {
        Assert.Equal(expected, XxHash64.HashToUInt64(Encoding.ASCII.GetBytes(text), seed));
    }

    [Fact]
    public void Fingerprint_AndEventIdentity_KeepTheirStoredValues()
    {
        Assert.Equal(new UInt128(0x7F8FF5FC1C5DDB4CUL, 0xF67C2831D39FDF5AUL), Fingerprint.Of("abc"u8));
        Assert.Equal(0xF67C2831D39FDF5AUL, Fingerprint.SketchHash("abc"u8));
        Assert.Equal(
            new EventIdentity(0x116C9EB155668026UL, 0xC4B36E6BC9982338UL),
            EventIdentity.Of("https://shop.example/checkout"u8, "order-1"u8)
        );
    }

    [Fact]
    public void Hash_SpreadsSequentialKeysEvenlyOverBuckets()
    {
        var buckets = new int[16];
        for (var i = 0; i < 160_000; i++)
        {
            buckets[XxHash64.HashToUInt64(Encoding.ASCII.GetBytes($"user-{i}")) % 16]++;
        }

        Assert.All(buckets, count => Assert.InRange(count, 9_500, 10_500));
    }
}
