using FsCheck;
using FsCheck.Fluent;
using Pipeline.Domain.Hashing;

namespace Pipeline.Domain.Tests.Hashing;

public class FingerprintSetTests
{
    [Fact]
    public void Add_BehavesLikeAHashSet_ThroughGrowthAndBufferedAdds()
    {
        var fingerprints = Gen.ArrayOf(Gen.Choose(0, 5_000))
            .Select(values =>
                values.Select(v => v % 7 == 0 ? UInt128.Zero : Fingerprint.Of(BitConverter.GetBytes(v))).ToArray()
            );

        Check.One(
            Config.QuickThrowOnFailure.WithMaxTest(300),
            Prop.ForAll(
                fingerprints.ToArbitrary(),
                values =>
                {
                    var set = new FingerprintSet();
                    var expected = new HashSet<UInt128>();
                    foreach (var value in values)
                    {
                        set.Add(value);
                        expected.Add(value);
                    }

                    return set.Count == expected.Count
                        && set.ToHashSet().SetEquals(expected)
                        && expected.All(set.Contains);
                }
            )
        );
    }

    [Fact]
    public void Contains_SeesAddsThatAreStillBuffered()
    {
        var set = new FingerprintSet();
        set.Add(42);

        Assert.True(set.Contains(42));
        Assert.False(set.Contains(43));
        Assert.Equal((UInt128)42, Assert.Single(set));
    }

    [Fact]
    public void UnionWith_AddsOnlyNewMembers()
    {
        var left = new FingerprintSet();
        var right = new FingerprintSet();
        for (var i = 0; i < 1_000; i++)
        {
            left.Add((UInt128)i * 7919);
            right.Add((UInt128)(i + 500) * 7919);
        }

        left.UnionWith(right);

        Assert.Equal(1_500, left.Count);
    }
}
