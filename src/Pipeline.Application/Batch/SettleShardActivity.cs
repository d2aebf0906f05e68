using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Microsoft.DurableTask;
using Pipeline.Application.Operations;
using Pipeline.Application.Storage;
using Pipeline.Application.Time;

namespace Pipeline.Application.Batch;

/// <summary>One chunk's copies of one identity shard.</summary>
/// <param name="Partition">The chunk's partition.</param>
/// <param name="Chunk">The chunk's place in it.</param>
/// <param name="CopiesBlob">The chunk's copies.</param>
/// <param name="First">The shard's first copy there.</param>
/// <param name="Count">How many copies of the shard it holds.</param>
public sealed record ShardCopies(int Partition, int Chunk, string CopiesBlob, long First, long Count);

/// <summary>Input of <see cref="SettleShardActivity"/>.</summary>
/// <param name="Operation">The run.</param>
/// <param name="Shard">The shard.</param>
/// <param name="Shards">How many shards the run has.</param>
/// <param name="Since">The run's starting cutoff (the index it reads; 0: none).</param>
/// <param name="SinceShards">How many shards that index was written with.</param>
/// <param name="Cutoff">The run's cutoff (the index it writes).</param>
/// <param name="RetryHorizon">How far apart in enqueued time two copies of an event are still one event.</param>
/// <param name="Chunks">Every chunk's copies of the shard.</param>
/// <param name="ExclusionsBlob">Where to write the exclusions.</param>
/// <param name="ResultBlob">Where to keep the result, last, for other views' runs of the same plan.</param>
public sealed record SettleShardInput(
    string Operation,
    int Shard,
    int Shards,
    long Since,
    int SinceShards,
    long Cutoff,
    TimeSpan RetryHorizon,
    IReadOnlyList<ShardCopies> Chunks,
    string ExclusionsBlob,
    string ResultBlob
);

/// <summary>How many events of one chunk the settle step found to be retries that the chunk's fold counted.</summary>
/// <param name="Partition">The partition.</param>
/// <param name="Chunk">The chunk.</param>
/// <param name="ExclusionsBlob">The shard's exclusions.</param>
/// <param name="First">The chunk's first exclusion there.</param>
/// <param name="Count">Events to drop.</param>
public sealed record ChunkExclusions(int Partition, int Chunk, string ExclusionsBlob, long First, long Count)
{
    /// <summary>Bytes per exclusion: partition, chunk, sequence number.</summary>
    public const int Size = 16;
}

/// <summary>One shard settled.</summary>
/// <param name="Shard">The shard.</param>
/// <param name="Chunks">The chunks with events to drop, and where their exclusions are.</param>
/// <param name="IndexEntries">Identities the shard's index at the cutoff holds.</param>
/// <param name="CopiesRead">Copies read.</param>
public sealed record ShardSettled(int Shard, IReadOnlyList<ChunkExclusions> Chunks, long IndexEntries, long CopiesRead);

/// <summary>
/// Removes producer retries across chunks and partitions, exactly, for one shard of identities: reads the shard's
/// copies from every chunk and from the index at the starting cutoff, orders each identity's copies by enqueued
/// time (then partition, then sequence number), and drops every copy enqueued within the retry horizon after an
/// earlier copy, wherever that landed. Copies a chunk's own fold already dropped (an earlier copy in the same chunk)
/// need nothing; the others are written as exclusions for <see cref="RefoldChunkActivity"/>. Then writes the shard
/// of the index at the new cutoff: the identities whose latest copy is within the horizon of it. Copies and index
/// are merged as they are read, so memory is a read buffer per chunk, one block of the new index and the exclusions
/// (the retries), however many identities the shard holds. Settling depends on the log and the
/// plan, not on the view, so its result is kept for the other views' runs at the same cutoff
/// (<see cref="FindSettledActivity"/>).
/// </summary>
[DurableTask(ActivityName)]
public sealed class SettleShardActivity(PipelineStore store, PipelineClock clock)
    : TaskActivity<SettleShardInput, ShardSettled>
{
    /// <summary>The activity's name.</summary>
    public const string ActivityName = "settle-shard";

    /// <inheritdoc />
    public override async Task<ShardSettled> RunAsync(TaskActivityContext context, SettleShardInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var cancellationToken = CancellationToken.None;
        // Each chunk's copies are sorted already (and of one partition), so the shard's order is a merge of them,
        // read as it goes: memory is a buffer per chunk and the exclusions, not the shard's copies or index.
        var runs = new List<IAsyncEnumerator<ShardCopy>>(input.Chunks.Count);
        var copies = new SortedMerge<ShardCopy>(runs);
        try
        {
            for (var i = 0; i < input.Chunks.Count; i++)
            {
                var (chunk, reference) = (input.Chunks[i], i);
                runs.Add(
                    await RecordReader<ShardCopy>
                        .OpenAsync(
                            store.Work.GetBlobClient(chunk.CopiesBlob),
                            chunk.First,
                            chunk.Count,
                            IdentityCopy.Size,
                            bytes => new ShardCopy(IdentityCopy.Read(bytes), chunk.Partition, reference),
                            cancellationToken
                        )
                        .ConfigureAwait(false)
                );
            }
        }
        catch
        {
            await copies.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var keepFrom = clock.StartOf(input.Cutoff).UtcTicks - input.RetryHorizon.Ticks;
        var kept = IdentityIndex.ShardWriter(store, input.RetryHorizon, input.Cutoff, input.Shard, input.Shards);
        var index = IdentityIndex
            .ReadShardAsync(
                store,
                input.RetryHorizon,
                input.Since,
                input.SinceShards,
                input.Shard,
                input.Shards,
                cancellationToken
            )
            .GetAsyncEnumerator(cancellationToken);
        List<(int Chunk, long Sequence)> exclusions;
        await using (copies.ConfigureAwait(false))
        await using (index.ConfigureAwait(false))
        {
            exclusions = await SettleAsync(
                    copies,
                    index,
                    input.RetryHorizon.Ticks,
                    keepFrom,
                    entry => kept.AddAsync(entry, cancellationToken)
                )
                .ConfigureAwait(false);
        }

        await kept.CommitAsync(cancellationToken).ConfigureAwait(false);
        var excluded = exclusions
            .Select(e => (Chunk: input.Chunks[e.Chunk], e.Sequence))
            .OrderBy(e => e.Chunk.Partition)
            .ThenBy(e => e.Chunk.Chunk)
            .ThenBy(e => e.Sequence)
            .ToList();
        var blob = input.ExclusionsBlob;
        await RecordBlobs
            .WriteWholeAsync(
                store.Work.GetBlobClient(blob),
                excluded,
                ChunkExclusions.Size,
                (e, bytes) =>
                {
                    BinaryPrimitives.WriteInt32LittleEndian(bytes, e.Chunk.Partition);
                    BinaryPrimitives.WriteInt32LittleEndian(bytes[4..], e.Chunk.Chunk);
                    BinaryPrimitives.WriteInt64LittleEndian(bytes[8..], e.Sequence);
                },
                cancellationToken
            )
            .ConfigureAwait(false);
        var chunks = new List<ChunkExclusions>();
        for (var start = 0; start < excluded.Count; )
        {
            var end = start;
            while (end < excluded.Count && ReferenceEquals(excluded[end].Chunk, excluded[start].Chunk))
            {
                end++;
            }

            var chunk = excluded[start].Chunk;
            chunks.Add(new ChunkExclusions(chunk.Partition, chunk.Chunk, blob, start, end - start));
            start = end;
        }

        var settled = new ShardSettled(input.Shard, chunks, kept.Count, input.Chunks.Sum(c => c.Count));
        await store
            .Work.GetBlobClient(input.ResultBlob)
            .UploadAsync(BinaryData.FromObjectAsJson(settled, ApiJson.Options), overwrite: true, cancellationToken)
            .ConfigureAwait(false);
        return settled;
    }

    /// <summary>
    /// The rule, over one shard's copies sorted by identity then (time, partition, sequence number) and its index
    /// entries sorted by identity, both read as they go: a copy is a retry when an earlier copy of its identity was
    /// enqueued at most <paramref name="horizonTicks"/> before it. Returns the retries a chunk's own fold counted (its
    /// first copy of the identity), and hands <paramref name="keep"/> the index entries to keep (latest copy at or
    /// after <paramref name="keepFrom"/>), in identity order.
    /// </summary>
    internal static async Task<List<(int Chunk, long Sequence)>> SettleAsync(
        IAsyncEnumerator<ShardCopy> copies,
        IAsyncEnumerator<IndexedIdentity> index,
        long horizonTicks,
        long keepFrom,
        Func<IndexedIdentity, ValueTask> keep
    )
    {
        var exclusions = new List<(int, long)>();
        var group = new List<ShardCopy>();
        var (hasCopy, hasIndex) = (
            await copies.MoveNextAsync().ConfigureAwait(false),
            await index.MoveNextAsync().ConfigureAwait(false)
        );
        while (hasCopy)
        {
            var identity = copies.Current.Copy.Identity;
            for (
                ;
                hasIndex && index.Current.Identity < identity;
                hasIndex = await index.MoveNextAsync().ConfigureAwait(false)
            )
            {
                await KeepAsync(index.Current).ConfigureAwait(false);
            }

            long? previous = null;
            if (hasIndex && index.Current.Identity == identity)
            {
                previous = index.Current.LastTicks;
                hasIndex = await index.MoveNextAsync().ConfigureAwait(false);
            }

            group.Clear();
            for (
                ;
                hasCopy && copies.Current.Copy.Identity == identity;
                hasCopy = await copies.MoveNextAsync().ConfigureAwait(false)
            )
            {
                var copy = copies.Current;
                if (
                    previous is { } earlier
                    && copy.Copy.Ticks - earlier <= horizonTicks
                    && !CountedBefore(group, copy.Chunk)
                )
                {
                    exclusions.Add((copy.Chunk, copy.Copy.Sequence));
                }

                group.Add(copy);
                previous = copy.Copy.Ticks;
            }

            await KeepAsync(new IndexedIdentity(identity, previous!.Value)).ConfigureAwait(false);
        }

        for (; hasIndex; hasIndex = await index.MoveNextAsync().ConfigureAwait(false))
        {
            await KeepAsync(index.Current).ConfigureAwait(false);
        }

        return exclusions;

        ValueTask KeepAsync(IndexedIdentity entry) =>
            entry.LastTicks >= keepFrom ? keep(entry) : ValueTask.CompletedTask;
    }

    // Whether the chunk had a copy of the identity already: then its own fold dropped this one.
    private static bool CountedBefore(List<ShardCopy> group, int chunk)
    {
        foreach (var earlier in group)
        {
            if (earlier.Chunk == chunk)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>A copy read for settling, with its partition and the chunk it came from (its place in the
/// input).</summary>
/// <param name="Copy">The copy.</param>
/// <param name="Partition">Its partition.</param>
/// <param name="Chunk">Its chunk's place in the settle input.</param>
internal readonly record struct ShardCopy(IdentityCopy Copy, int Partition, int Chunk) : IComparable<ShardCopy>
{
    public int CompareTo(ShardCopy other) =>
        Copy.Identity != other.Copy.Identity ? Copy.Identity.CompareTo(other.Copy.Identity)
        : Copy.Ticks != other.Copy.Ticks ? Copy.Ticks.CompareTo(other.Copy.Ticks)
        : Partition != other.Partition ? Partition.CompareTo(other.Partition)
        : Copy.Sequence.CompareTo(other.Copy.Sequence);
}
