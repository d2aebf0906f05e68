using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Azure.Storage.Blobs.Specialized;
using Pipeline.Application.Storage;

namespace Pipeline.Application.Batch;

/// <summary>One identity of the index: an event's (source, id) hash and the enqueued time of its latest copy.</summary>
/// <param name="Identity">The identity.</param>
/// <param name="LastTicks">The latest copy's enqueued time, in ticks.</param>
internal readonly record struct IndexedIdentity(UInt128 Identity, long LastTicks)
{
    /// <summary>Bytes per entry.</summary>
    public const int Size = 24;

    public static void Write(IndexedIdentity entry, Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt128LittleEndian(destination, entry.Identity);
        BinaryPrimitives.WriteInt64LittleEndian(destination[16..], entry.LastTicks);
    }

    public static IndexedIdentity Read(ReadOnlySpan<byte> source) =>
        new(BinaryPrimitives.ReadUInt128LittleEndian(source), BinaryPrimitives.ReadInt64LittleEndian(source[16..]));
}

/// <summary>
/// The identities an incremental run must know from before its starting cutoff: every event whose latest copy was
/// enqueued within the retry horizon before the cutoff, with that time, split by hash into shards
/// (<see cref="IdentityShards"/>), each shard's entries sorted in its own blob. Older identities are left out, so
/// the index grows with the traffic of one horizon, not with history. The same for every view at one cutoff,
/// horizon and number of shards, so their runs write the same content to the same places.
/// </summary>
internal static class IdentityIndex
{
    /// <summary>The entries of shard <paramref name="shard"/> of <paramref name="shards"/> at <paramref
    /// name="cutoff"/> in identity order, read as they are asked for from an index written with <paramref
    /// name="writtenShards"/> shards; none for cutoff 0.</summary>
    public static async IAsyncEnumerable<IndexedIdentity> ReadShardAsync(
        PipelineStore store,
        TimeSpan horizon,
        long cutoff,
        int writtenShards,
        int shard,
        int shards,
        [EnumeratorCancellation] CancellationToken cancellationToken
    )
    {
        if (cutoff <= 0 || writtenShards <= 0)
        {
            yield break;
        }

        // Shards split the identities in order, so the overlapping written shards, one after another, are in order.
        var (first, last) = IdentityShards.Overlapping(shard, shards, writtenShards);
        for (var written = first; written <= last; written++)
        {
            var blob = store.Work.GetBlobClient(StorageLayout.Work.Identities(horizon, writtenShards, written, cutoff));

            // A shard with no identities in the horizon was still written (empty), so a missing one is an error.
            var count = await RecordBlobs
                .CountAsync(blob, IndexedIdentity.Size, cancellationToken)
                .ConfigureAwait(false);
            var reader = await RecordReader<IndexedIdentity>
                .OpenAsync(blob, 0, count, IndexedIdentity.Size, IndexedIdentity.Read, cancellationToken)
                .ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.MoveNextAsync().ConfigureAwait(false))
                {
                    if (IdentityShards.Of(reader.Current.Identity, shards) == shard)
                    {
                        yield return reader.Current;
                    }
                }
            }
        }
    }

    /// <summary>A writer of one shard's entries (added in identity order), committed whole: another view's run at
    /// the same cutoff may write the same content while a later run reads it.</summary>
    public static StagedRecordWriter<IndexedIdentity> ShardWriter(
        PipelineStore store,
        TimeSpan horizon,
        long cutoff,
        int shard,
        int shards
    ) =>
        new(
            store.Work.GetBlockBlobClient(StorageLayout.Work.Identities(horizon, shards, shard, cutoff)),
            IndexedIdentity.Size,
            IndexedIdentity.Write
        );
}
