using System.Runtime.InteropServices;
using Microsoft.DurableTask;
using Pipeline.Application.Operations;
using Pipeline.Application.Storage;
using Pipeline.Application.Versions;
using Pipeline.Domain.Views;

namespace Pipeline.Application.Batch;

/// <summary>Input of <see cref="FoldChunkActivity"/>.</summary>
/// <param name="View">The view.</param>
/// <param name="Version">The version.</param>
/// <param name="Chunk">The chunk to fold.</param>
/// <param name="Operation">The operation (names the output blobs).</param>
/// <param name="Cutoff">The run's cutoff.</param>
/// <param name="Shards">How many identity shards the run settles (splits the copies it writes); 0: the run's settling
/// is done already, so no copies.</param>
public sealed record FoldChunkInput(
    string View,
    int Version,
    FoldChunk Chunk,
    string Operation,
    long Cutoff,
    int Shards = 1
);

/// <summary>One chunk's fold: what was read and removed, and where its partials and identities are.</summary>
/// <param name="Partition">The partition.</param>
/// <param name="Chunk">The chunk's place in the partition.</param>
/// <param name="Segments">Raw segments read.</param>
/// <param name="EventsRead">Records read from them.</param>
/// <param name="RedeliveredRemoved">Records dropped as repeats of a (partition, sequence number) already read.</param>
/// <param name="RetriesRemoved">Events dropped as producer retries of an event earlier in the chunk.</param>
/// <param name="HeadRetriesRemoved">Of those, the ones in the head.</param>
/// <param name="LastSequence">The last sequence number read (-1: none).</param>
/// <param name="HeadLastSequence">The last sequence number of the head (its first segments).</param>
/// <param name="HeadPartialsBlob">The head's partials.</param>
/// <param name="BodyPartialsBlob">The partials of the rest, or null when the head is the whole chunk.</param>
/// <param name="CopiesBlob">Every event read (redeliveries apart) as an <see cref="IdentityCopy"/>, sorted, so
/// grouped by shard.</param>
/// <param name="ShardStarts">Where each shard's copies start in that blob, in copies (one more than shards: the
/// end).</param>
/// <param name="Seconds">How long the fold took.</param>
public sealed record ChunkFold(
    int Partition,
    int Chunk,
    int Segments,
    long EventsRead,
    long RedeliveredRemoved,
    long RetriesRemoved,
    long HeadRetriesRemoved,
    long LastSequence,
    long HeadLastSequence,
    string HeadPartialsBlob,
    string? BodyPartialsBlob,
    string CopiesBlob,
    IReadOnlyList<long> ShardStarts,
    double Seconds = 0
);

/// <summary>
/// Folds one chunk of a partition's raw log (the fan-out of a recompute: chunks of every partition run in
/// parallel). De-duplicates within the chunk; producer retries of events in other chunks, other partitions or
/// below the run's starting cutoff are settled afterwards per identity shard (<see cref="SettleShardActivity"/>)
/// from the copies this writes, and the chunks that counted them are folded again (<see
/// cref="RefoldChunkActivity"/>): only their head (the first segments, about a fiftieth of the chunk) when the
/// retries are all there. Output names come from the operation and the chunk, so a repeated run writes the same
/// content to the same places.
/// </summary>
[DurableTask(ActivityName)]
public sealed class FoldChunkActivity(PipelineStore store, SpecRegistry specs) : TaskActivity<FoldChunkInput, ChunkFold>
{
    /// <summary>The activity's name.</summary>
    public const string ActivityName = "fold-chunk";

    /// <summary>The head's share of a chunk: retries crossing into the chunk are settled by folding only this much
    /// again.</summary>
    public const int HeadFraction = 50;

    private static readonly IReadOnlySet<long> NoSequences = new HashSet<long>();

    /// <inheritdoc />
    public override async Task<ChunkFold> RunAsync(TaskActivityContext context, FoldChunkInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var request = input;
        var cancellationToken = CancellationToken.None;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var view = await specs
            .RequireAsync(new Domain.Views.ViewVersion(request.View, request.Version), CancellationToken.None)
            .ConfigureAwait(false);
        var chunk = request.Chunk;

        var copies = request.Shards > 0 ? new List<IdentityCopy>((int)Math.Min(chunk.Records, Array.MaxLength)) : null;
        var fold = await ChunkFolder
            .FoldAsync(
                store,
                view,
                chunk,
                NoSequences,
                Math.Max(1, chunk.Records / HeadFraction),
                copies,
                cancellationToken: cancellationToken
            )
            .ConfigureAwait(false);

        var name = BlobName(request.Operation, chunk);
        var (head, body, copiesBlob) = (
            $"{name}.head.partials",
            fold.HeadLastSequence < fold.LastSequence ? $"{name}.partials" : null,
            copies is null ? string.Empty : $"{name}.copies"
        );
        if (copies is not null)
        {
            CollectionsMarshal.AsSpan(copies).Sort();
            await RecordBlobs
                .WriteAsync(
                    store.Work.GetBlobClient(copiesBlob),
                    copies,
                    IdentityCopy.Size,
                    IdentityCopy.Write,
                    cancellationToken
                )
                .ConfigureAwait(false);
        }
        await store
            .Work.GetBlobClient(head)
            .UploadAsync(
                BinaryData.FromBytes(PartialsFile.Write(view, fold.Head.Partials.Partials)),
                overwrite: true,
                cancellationToken
            )
            .ConfigureAwait(false);
        if (body is not null)
        {
            await store
                .Work.GetBlobClient(body)
                .UploadAsync(
                    BinaryData.FromBytes(PartialsFile.Write(view, fold.Body.Partials.Partials)),
                    overwrite: true,
                    cancellationToken
                )
                .ConfigureAwait(false);
        }

        return new ChunkFold(
            chunk.Partition,
            chunk.Chunk,
            fold.Segments,
            fold.Read,
            fold.Redelivered,
            fold.Head.Retries + fold.Body.Retries,
            fold.Head.Retries,
            fold.LastSequence,
            fold.HeadLastSequence,
            head,
            body,
            copiesBlob,
            copies is null ? [] : IdentityCopy.ShardStarts(copies, request.Shards),
            watch.Elapsed.TotalSeconds
        );
    }

    /// <summary>The name (without extension) of a chunk's output blobs.</summary>
    public static string BlobName(string operation, FoldChunk chunk) =>
        StorageLayout.Work.Chunk(operation, chunk.Partition, chunk.Chunk);
}
