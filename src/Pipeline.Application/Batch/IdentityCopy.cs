using System.Buffers.Binary;

namespace Pipeline.Application.Batch;

/// <summary>
/// One copy of an event in a fold chunk, as the settle step needs it: the event's identity (source, id), its
/// enqueued time and its sequence number in its partition. Ordered by identity, then time, then sequence number, so
/// a chunk's copies sorted this way are grouped by shard (<see cref="IdentityShards"/>) and, per identity, in the
/// order they were enqueued.
/// </summary>
/// <param name="Identity">The identity's 128-bit hash.</param>
/// <param name="Ticks">Its enqueued time, in ticks.</param>
/// <param name="Sequence">Its sequence number.</param>
internal readonly record struct IdentityCopy(UInt128 Identity, long Ticks, long Sequence) : IComparable<IdentityCopy>
{
    /// <summary>Bytes per copy in a copies blob.</summary>
    public const int Size = 32;

    public int CompareTo(IdentityCopy other) =>
        Identity != other.Identity ? Identity.CompareTo(other.Identity)
        : Ticks != other.Ticks ? Ticks.CompareTo(other.Ticks)
        : Sequence.CompareTo(other.Sequence);

    public static void Write(IdentityCopy copy, Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt128LittleEndian(destination, copy.Identity);
        BinaryPrimitives.WriteInt64LittleEndian(destination[16..], copy.Ticks);
        BinaryPrimitives.WriteInt64LittleEndian(destination[24..], copy.Sequence);
    }

    public static IdentityCopy Read(ReadOnlySpan<byte> source) =>
        new(
            BinaryPrimitives.ReadUInt128LittleEndian(source),
            BinaryPrimitives.ReadInt64LittleEndian(source[16..]),
            BinaryPrimitives.ReadInt64LittleEndian(source[24..])
        );

    /// <summary>Where each shard's copies start in copies sorted by identity (one more entry than shards: the
    /// end).</summary>
    public static long[] ShardStarts(IReadOnlyList<IdentityCopy> sorted, int shards)
    {
        var starts = new long[shards + 1];
        var next = 0;
        for (var i = 0; i < sorted.Count; i++)
        {
            var shard = IdentityShards.Of(sorted[i].Identity, shards);
            while (next <= shard)
            {
                starts[next++] = i;
            }
        }

        while (next <= shards)
        {
            starts[next++] = sorted.Count;
        }

        return starts;
    }
}
