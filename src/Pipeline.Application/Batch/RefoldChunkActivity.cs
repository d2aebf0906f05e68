using System.Buffers.Binary;
using Microsoft.DurableTask;
using Pipeline.Application.Storage;
using Pipeline.Application.Versions;
using Pipeline.Domain.Views;

namespace Pipeline.Application.Batch;

/// <summary>Input of <see cref="RefoldChunkActivity"/>.</summary>
/// <param name="View">The view.</param>
/// <param name="Version">The version.</param>
/// <param name="Chunk">The chunk.</param>
/// <param name="Fold">Its first fold.</param>
/// <param name="Exclusions">Where the settle step wrote the events it must drop, shard by shard.</param>
public sealed record RefoldChunkInput(
    string View,
    int Version,
    FoldChunk Chunk,
    ChunkFold Fold,
    IReadOnlyList<ChunkExclusions> Exclusions
);

/// <summary>A chunk folded again without the retries the settle step found.</summary>
/// <param name="Partition">The partition.</param>
/// <param name="Chunk">The chunk.</param>
/// <param name="PartialsBlobs">The partials that replace the chunk's own.</param>
/// <param name="RetriesRemoved">Events dropped beyond the first fold's.</param>
/// <param name="HeadOnly">Whether only the head was folded again.</param>
public sealed record ChunkRefolded(
    int Partition,
    int Chunk,
    IReadOnlyList<string> PartialsBlobs,
    long RetriesRemoved,
    bool HeadOnly
);

/// <summary>
/// Folds a chunk again without the events the settle step found to be retries of copies elsewhere (another chunk,
/// another partition, or before the run's starting cutoff): only its head when they are all there, as they usually
/// are (a retry follows its original closely), else the whole chunk. The refolded partials get their own names, so
/// the first fold's are never overwritten.
/// </summary>
[DurableTask(ActivityName)]
public sealed class RefoldChunkActivity(PipelineStore store, SpecRegistry specs)
    : TaskActivity<RefoldChunkInput, ChunkRefolded>
{
    /// <summary>The activity's name.</summary>
    public const string ActivityName = "refold-chunk";

    /// <inheritdoc />
    public override async Task<ChunkRefolded> RunAsync(TaskActivityContext context, RefoldChunkInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var cancellationToken = CancellationToken.None;
        var view = await specs
            .RequireAsync(new ViewVersion(input.View, input.Version), cancellationToken)
            .ConfigureAwait(false);
        var drop = new HashSet<long>();
        foreach (var part in input.Exclusions)
        {
            await RecordBlobs
                .ReadAsync(
                    store.Work.GetBlobClient(part.ExclusionsBlob),
                    part.First,
                    part.Count,
                    ChunkExclusions.Size,
                    bytes =>
                    {
                        if (
                            BinaryPrimitives.ReadInt32LittleEndian(bytes) != input.Chunk.Partition
                            || BinaryPrimitives.ReadInt32LittleEndian(bytes[4..]) != input.Chunk.Chunk
                        )
                        {
                            throw new InvalidDataException(
                                $"'{part.ExclusionsBlob}' holds another chunk's exclusion at record {part.First}"
                            );
                        }

                        drop.Add(BinaryPrimitives.ReadInt64LittleEndian(bytes[8..]));
                    },
                    cancellationToken
                )
                .ConfigureAwait(false);
        }

        var (chunk, fold) = (input.Chunk, input.Fold);
        if (drop.Count == 0)
        {
            return new ChunkRefolded(chunk.Partition, chunk.Chunk, PartialsOf(fold), 0, HeadOnly: true);
        }

        var headOnly = drop.Max() <= fold.HeadLastSequence;
        var again = await ChunkFolder
            .FoldAsync(
                store,
                view,
                chunk,
                drop,
                long.MaxValue,
                copies: null,
                headOnly ? fold.HeadLastSequence : long.MaxValue,
                cancellationToken
            )
            .ConfigureAwait(false);
        var name = fold.HeadPartialsBlob.Replace(
            ".head.partials",
            headOnly ? ".head.settled.partials" : ".settled.partials",
            StringComparison.Ordinal
        );
        await store
            .Work.GetBlobClient(name)
            .UploadAsync(
                BinaryData.FromBytes(PartialsFile.Write(view, again.Head.Partials.Partials)),
                overwrite: true,
                cancellationToken
            )
            .ConfigureAwait(false);
        return new ChunkRefolded(
            chunk.Partition,
            chunk.Chunk,
            headOnly && fold.BodyPartialsBlob is { } body ? [name, body] : [name],
            again.Head.Retries - (headOnly ? fold.HeadRetriesRemoved : fold.RetriesRemoved),
            headOnly
        );
    }

    /// <summary>A chunk's partials as its first fold wrote them.</summary>
    public static IReadOnlyList<string> PartialsOf(ChunkFold fold) =>
        fold.BodyPartialsBlob is { } body ? [fold.HeadPartialsBlob, body] : [fold.HeadPartialsBlob];
}
