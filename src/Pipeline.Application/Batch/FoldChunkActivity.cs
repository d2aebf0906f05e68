using System.Globalization;
using Microsoft.DurableTask;
using Pipeline.Application.Operations;
using Pipeline.Application.Storage;
using Pipeline.Application.Versions;
using Pipeline.Domain.Hashing;
using Pipeline.Domain.Views;

namespace Pipeline.Application.Batch;

/// <summary>Input of <see cref="FoldChunkActivity"/>.</summary>
/// <param name="View">The view.</param>
/// <param name="Version">The version.</param>
/// <param name="Chunk">The chunk to fold.</param>
/// <param name="Operation">The operation (names the output blobs).</param>
/// <param name="Cutoff">The run's cutoff.</param>
public sealed record FoldChunkInput(string View, int Version, FoldChunk Chunk, string Operation, long Cutoff);

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
/// <param name="IdentitiesBlob">The identities of the events counted, head and rest apart (or the partition's identity
/// index, for a whole-log chunk).</param>
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
    string IdentitiesBlob,
    double Seconds = 0
);

/// <summary>
/// Folds one chunk of a partition's raw log (the fan-out of a recompute: chunks of every partition run in
/// parallel). De-duplicates within the chunk; producer retries of events in earlier chunks or below the
/// run's starting cutoff are settled afterwards per partition (<see cref="SettlePartitionActivity"/>),
/// from the identities this writes, head (the first segments, about a fiftieth of the chunk) and rest
/// apart. Output names come from the operation and the chunk, so a repeated run writes the same content
/// to the same places.
/// </summary>
[DurableTask(ActivityName)]
public sealed class FoldChunkActivity(PipelineStore store, SpecRegistry specs) : TaskActivity<FoldChunkInput, ChunkFold>
{
    /// <summary>The activity's name.</summary>
    public const string ActivityName = "fold-chunk";

    /// <summary>The head's share of a chunk: retries crossing into the chunk are settled by folding only this much
    /// again.</summary>
    public const int HeadFraction = 50;

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

        // A chunk that is its partition's whole log below the cutoff (a full run, one chunk) has nothing to
        // settle: it needs no head, and its identities are the partition's index at the cutoff.
        var whole = chunk.IsWholeLogBelow(request.Cutoff);
        var fold = await ChunkFolder
            .FoldAsync(
                store,
                view,
                chunk.Partition,
                chunk.FromEpoch,
                chunk.UntilEpoch,
                new FingerprintSet(),
                whole ? long.MaxValue : Math.Max(1, chunk.Records / HeadFraction),
                cancellationToken: cancellationToken
            )
            .ConfigureAwait(false);

        var name = BlobName(request.Operation, chunk);
        var identities = whole ? IdentityIndex.Name(chunk.Partition, request.Cutoff) : $"{name}.ids";
        var (head, body) = (
            $"{name}.head.partials",
            fold.HeadLastSequence < fold.LastSequence ? $"{name}.partials" : null
        );
        await (
            whole
                ? IdentityIndex.WriteBlobAsync(store, identities, fold.Head.Identities, cancellationToken)
                : IdentityIndex.WritePairAsync(
                    store,
                    identities,
                    fold.Head.Identities,
                    fold.Body.Identities,
                    cancellationToken
                )
        ).ConfigureAwait(false);
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
            identities,
            watch.Elapsed.TotalSeconds
        );
    }

    /// <summary>The name (without extension) of a chunk's output blobs.</summary>
    public static string BlobName(string operation, FoldChunk chunk) =>
        StorageLayout.Work.Chunk(operation, chunk.Partition, chunk.Chunk);
}
