using System.Text;
using Pipeline.Domain.Aggregations;
using Pipeline.Domain.Hashing;

namespace Pipeline.Domain.Tests.Aggregations;

public class HyperLogLogTests
{
    private static ulong HashOf(int i) =>
        System.IO.Hashing.XxHash64.HashToUInt64(Encoding.ASCII.GetBytes($"subject-{i}"));

    [Fact]
    public void StandardError_AtDefaultPrecision_IsPointEightOnePercent()
    {
        Assert.Equal(0.008125, HyperLogLog.StandardErrorFor(HyperLogLog.DefaultPrecision), 6);
    }

    [Fact]
    public void Estimate_OfOneMillionDistinctValues_IsWithinThreeStandardErrors()
    {
        var sketch = new HyperLogLog();
        for (var i = 0; i < 1_000_000; i++)
        {
            sketch.AddHash(HashOf(i));
            sketch.AddHash(HashOf(i / 2));
        }

        var relativeError = Math.Abs(sketch.Estimate() - 1_000_000) / 1_000_000;

        Assert.True(relativeError < 3 * sketch.StandardError, $"relative error {relativeError:P3}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(100)]
    [InlineData(10_000)]
    [InlineData(40_000)]
    [InlineData(100_000)]
    public void Estimate_AcrossTheRange_IsWithinFourStandardErrors(int distinct)
    {
        var sketch = new HyperLogLog();
        for (var i = 0; i < distinct; i++)
        {
            sketch.AddHash(HashOf(i + 7_000_000));
        }

        var error = Math.Abs(sketch.Estimate() - distinct);

        Assert.True(
            error <= Math.Max(1, 4 * sketch.StandardError * distinct),
            $"estimate {sketch.Estimate()} for {distinct}"
        );
    }

    [Fact]
    public void Merge_EqualsTheSketchOfTheUnion()
    {
        var left = new HyperLogLog(12);
        var right = new HyperLogLog(12);
        var union = new HyperLogLog(12);
        for (var i = 0; i < 50_000; i++)
        {
            (i % 3 == 0 ? left : right).AddHash(HashOf(i));
            union.AddHash(HashOf(i));
        }

        left.Merge(right);

        Assert.Equal(union.Registers.ToArray(), left.Registers.ToArray());
    }

    [Fact]
    public void Merge_OfDifferentPrecisions_IsRefused()
    {
        Assert.Throws<ArgumentException>(() => new HyperLogLog(10).Merge(new HyperLogLog(12)));
    }
}
