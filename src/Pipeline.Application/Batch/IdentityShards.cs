namespace Pipeline.Application.Batch;

/// <summary>
/// How producer-retry identities are split for settling: by hash range, so that a shard is a contiguous run of the
/// identities' sorted order and a set sorted by identity is already grouped by shard. The number of shards is chosen
/// per run from how many identities it holds, so no activity holds more than a budget however long the log; an index
/// written with one number of shards is read with another by taking the shards whose ranges overlap.
/// </summary>
public static class IdentityShards
{
    /// <summary>The most shards a run uses (a settle activity each).</summary>
    public const int MaxShards = 4096;

    /// <summary>The shard of <paramref name="identity"/> among <paramref name="shards"/>: its place in the hash range,
    /// by its top 64 bits.</summary>
    public static int Of(UInt128 identity, int shards) =>
        (int)Math.BigMul((ulong)(identity >> 64), (ulong)shards, out _);

    /// <summary>Identities per shard below which a run does not split further for parallelism.</summary>
    public const long ParallelShardIdentities = 250_000;

    /// <summary>Shards a run of many identities uses at least, so settling runs on several cores.</summary>
    public const int ParallelShards = 4;

    /// <summary>How many shards keep each under <paramref name="perShard"/> identities (one at least, and at most
    /// <see cref="MaxShards"/>), and split a run of over a million identities at least <see cref="ParallelShards"/>
    /// ways. Counts are 64-bit: a run of any size is split, never one buffer.</summary>
    public static int For(long identities, long perShard)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(identities);
        ArgumentOutOfRangeException.ThrowIfLessThan(perShard, 1);
        var shards = (identities / perShard) + (identities % perShard == 0 ? 0 : 1);
        var parallel = Math.Min(ParallelShards, identities / ParallelShardIdentities);
        return (int)Math.Clamp(Math.Max(shards, parallel), 1, MaxShards);
    }

    /// <summary>The shards of a split into <paramref name="otherShards"/> that hold identities of <paramref
    /// name="shard"/> of a split into <paramref name="shards"/>.</summary>
    public static (int First, int Last) Overlapping(int shard, int shards, int otherShards)
    {
        // Shard s covers [s/shards, (s+1)/shards) of the hash range.
        var first = (int)((long)shard * otherShards / shards);
        var last = (int)((((long)shard + 1) * otherShards - 1) / shards);
        return (first, Math.Min(last, otherShards - 1));
    }
}
