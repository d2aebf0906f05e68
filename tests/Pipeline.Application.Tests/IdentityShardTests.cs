using Pipeline.Application.Batch;

namespace Pipeline.Application.Tests;

/// <summary>How identities are split for settling, and the retry rule one shard applies.</summary>
public class IdentityShardTests
{
    [Theory]
    [InlineData(0L, 4_000_000L, 1)]
    [InlineData(999_999L, 4_000_000L, 3)] // split for parallel settling
    [InlineData(4_000_000L, 4_000_000L, 4)]
    [InlineData(20_000_001L, 4_000_000L, 6)]
    [InlineData(3_000_000_000L, 4_000_000L, 750)] // past int range: 750 shards of 4 million, not one buffer
    [InlineData(12_000_000_000L, 4_000_000L, 3000)]
    [InlineData(long.MaxValue, 1L, IdentityShards.MaxShards)]
    public void ShardCount_KeepsEachShardUnderItsBudget_ForCountsOfAnySize(long identities, long perShard, int shards)
    {
        Assert.Equal(shards, IdentityShards.For(identities, perShard));
        Assert.True(shards == IdentityShards.MaxShards || identities <= (long)shards * perShard);
    }

    [Fact]
    public void AnIndexWrittenWithOneShardCount_IsFoundWithAnother()
    {
        var random = new Random(7);
        foreach (var (shards, written) in new[] { (7, 3), (3, 7), (1, 5), (5, 1), (64, 64), (29, 24) })
        {
            for (var i = 0; i < 2000; i++)
            {
                var identity = new UInt128((ulong)random.NextInt64() * 2, (ulong)random.NextInt64());
                var shard = IdentityShards.Of(identity, shards);
                var (first, last) = IdentityShards.Overlapping(shard, shards, written);
                Assert.InRange(shard, 0, shards - 1);
                Assert.InRange(IdentityShards.Of(identity, written), first, last);
            }
        }

        // Sorting by identity groups by shard: the shard never decreases along the sorted order.
        var sorted = Enumerable
            .Range(0, 1000)
            .Select(_ => new UInt128((ulong)random.NextInt64(), (ulong)random.NextInt64()))
            .Order()
            .Select(id => IdentityShards.Of(id, 13))
            .ToList();
        Assert.Equal(sorted.Order(), sorted);
    }

    [Fact]
    public async Task Settle_DropsCopiesWithinTheHorizonOfAnEarlierCopy_ThatTheirChunkCounted()
    {
        const long horizon = 100;
        UInt128 a = 1,
            b = 2,
            c = 3;
        ShardCopy Copy(UInt128 id, long ticks, int partition, int chunk, long sequence) =>
            new(new IdentityCopy(id, ticks, sequence), partition, chunk);
        var copies = new List<ShardCopy>
        {
            Copy(a, 10, partition: 0, chunk: 0, sequence: 1), // counted
            Copy(a, 10, partition: 1, chunk: 1, sequence: 4), // same instant, later partition: a retry its chunk counted
            Copy(a, 50, partition: 1, chunk: 1, sequence: 9), // its chunk's own fold dropped it already
            Copy(a, 151, partition: 0, chunk: 2, sequence: 30), // 101 after the last copy: a new event
            Copy(b, 500, partition: 2, chunk: 3, sequence: 7), // 90 after the index's copy: a retry
            Copy(c, 900, partition: 2, chunk: 3, sequence: 8), // 400 after the index's copy: new
        };
        copies.Sort();
        IndexedIdentity[] index = [new(b, 410), new(c, 500), new(9, 10)];

        var kept = new List<IndexedIdentity>();
        var exclusions = await SettleShardActivity.SettleAsync(
            copies.ToAsyncEnumerable().GetAsyncEnumerator(),
            index.ToAsyncEnumerable().GetAsyncEnumerator(),
            horizon,
            keepFrom: 200,
            entry =>
            {
                kept.Add(entry);
                return ValueTask.CompletedTask;
            }
        );

        Assert.Equal([(1, 4L), (3, 7L)], exclusions);
        Assert.Equal([new IndexedIdentity(b, 500), new IndexedIdentity(c, 900)], kept);
    }
}
