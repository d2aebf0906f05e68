using System.Text;
using Pipeline.Domain.Hashing;

namespace Pipeline.Domain.Tests.Hashing;

public class XxHash64Tests
{
    [Theory]
    [InlineData("", 0xEF46DB3751D8E999UL)]
    [InlineData("abc", 0x44BC2CF5AD770999UL)]
    [InlineData("Nobody inspects the spammish repetition", 0xFBCEA83C8A378BF1UL)]
    public void Hash_MatchesReferenceVectors(string text, ulong expected)
    {
        Assert.Equal(expected, XxHash64.Hash(Encoding.ASCII.GetBytes(text)));
    }

    [Fact]
    public void Hash_SpreadsSequentialKeysEvenlyOverBuckets()
    {
        var buckets = new int[16];
        for (var i = 0; i < 160_000; i++)
        {
            buckets[XxHash64.Hash(Encoding.ASCII.GetBytes($"user-{i}")) % 16]++;
        }

        Assert.All(buckets, count => Assert.InRange(count, 9_500, 10_500));
    }
}
