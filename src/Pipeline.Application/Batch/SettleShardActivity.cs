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
/// of the index at the new cutoff: the identities whose latest copy is within the horizon of it. Memory is the
/// shard's copies and index entries, which the run's number of shards bounds. Settling depends on the log and the
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
        var index = await IdentityIndex
            .ReadShardAsync(
                store,
                input.RetryHorizon,
                input.Since,
                input.SinceShards,
                input.Shard,
                input.Shards,
                cancellationToken
            )
            .ConfigureAwait(false);
        // Each chunk's copies are sorted already (and of one partition), so the shard's order is a merge of them.
        var runs = new List<ShardCopy[]>(input.Chunks.Count);
        for (var i = 0; i < input.Chunks.Count; i++)
        {
            var (chunk, reference) = (input.Chunks[i], i);
            var run = new ShardCopy[chunk.Count];
            var filled = 0;
            await RecordBlobs
                .ReadAsync(
                    store.Work.GetBlobClient(chunk.CopiesBlob),
                    chunk.First,
                    chunk.Count,
                    IdentityCopy.Size,
                    bytes => run[filled++] = new ShardCopy(IdentityCopy.Read(bytes), chunk.Partition, reference),
                    cancellationToken
                )
                .ConfigureAwait(false);
            runs.Add(run);
        }

        var keepFrom = clock.StartOf(input.Cutoff).UtcTicks - input.RetryHorizon.Ticks;
        var (exclusions, kept) = Settle(Merge(runs), index, input.RetryHorizon.Ticks, keepFrom);
        runs.Clear();

        await IdentityIndex
            .WriteShardAsync(
                store,
                input.RetryHorizon,
                input.Cutoff,
                input.Shard,
                input.Shards,
                kept,
                cancellationToken
            )
            .ConfigureAwait(false);
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

    /// <summary>Merges runs each sorted in <see cref="ShardCopy"/> order into one.</summary>
    internal static ShardCopy[] Merge(IReadOnlyList<ShardCopy[]> runs)
    {
        if (runs.Count == 1)
        {
            return runs[0];
        }

        var merged = new ShardCopy[runs.Sum(r => (long)r.Length)];
        var next = new int[runs.Count];
        var heads = new PriorityQueue<int, ShardCopy>(runs.Count);
        for (var run = 0; run < runs.Count; run++)
        {
            if (runs[run].Length > 0)
            {
                heads.Enqueue(run, runs[run][0]);
            }
        }

        for (var i = 0; heads.TryDequeue(out var run, out var copy); i++)
        {
            merged[i] = copy;
            if (++next[run] < runs[run].Length)
            {
                heads.Enqueue(run, runs[run][next[run]]);
            }
        }

        return merged;
    }

    /// <summary>
    /// The rule, over one shard's copies sorted by identity then (time, partition, sequence number) and its index
    /// entries sorted by identity: a copy is a retry when an earlier copy of its identity was enqueued at most
    /// <paramref name="horizonTicks"/> before it. Returns the retries a chunk's own fold counted (its first copy of
    /// the identity) and the index entries to keep (latest copy at or after <paramref name="keepFrom"/>).
    /// </summary>
    internal static (List<(int Chunk, long Sequence)> Exclusions, List<IndexedIdentity> Kept) Settle(
        IReadOnlyList<ShardCopy> copies,
        IReadOnlyList<IndexedIdentity> index,
        long horizonTicks,
        long keepFrom
    )
    {
        var exclusions = new List<(int, long)>();
        var kept = new List<IndexedIdentity>(index.Count);
        var next = 0;
        for (var start = 0; start < copies.Count; )
        {
            var identity = copies[start].Copy.Identity;
            for (; next < index.Count && index[next].Identity < identity; next++)
            {
                Keep(kept, index[next], keepFrom);
            }

            long? previous = next < index.Count && index[next].Identity == identity ? index[next++].LastTicks : null;
            var end = start;
            for (; end < copies.Count && copies[end].Copy.Identity == identity; end++)
            {
                var copy = copies[end];
                if (previous is { } earlier && copy.Copy.Ticks - earlier <= horizonTicks)
                {
                    var foldDroppedIt = false;
                    for (var before = start; before < end && !foldDroppedIt; before++)
                    {
                        foldDroppedIt = copies[before].Chunk == copy.Chunk;
                    }

                    if (!foldDroppedIt)
                    {
                        exclusions.Add((copy.Chunk, copy.Copy.Sequence));
                    }
                }

                previous = copy.Copy.Ticks;
            }

            Keep(kept, new IndexedIdentity(identity, previous!.Value), keepFrom);
            start = end;
        }

        for (; next < index.Count; next++)
        {
            Keep(kept, index[next], keepFrom);
        }

        return (exclusions, kept);
    }

    private static void Keep(List<IndexedIdentity> kept, IndexedIdentity entry, long keepFrom)
    {
        if (entry.LastTicks >= keepFrom)
        {
            kept.Add(entry);
        }
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
