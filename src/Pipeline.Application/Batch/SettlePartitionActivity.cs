using Microsoft.DurableTask;
using Pipeline.Application.Operations;
using Pipeline.Application.Storage;
using Pipeline.Application.Versions;
using Pipeline.Domain.Hashing;
using Pipeline.Domain.Views;

namespace Pipeline.Application.Batch;

/// <summary>Input of <see cref="SettlePartitionActivity"/>.</summary>
/// <param name="View">The view.</param>
/// <param name="Version">The version.</param>
/// <param name="Cutoff">The run's cutoff (names the identity index it writes).</param>
/// <param name="Since">The run's starting cutoff (names the identity index it reads; 0: none).</param>
/// <param name="Folds">The partition's chunk folds, in chunk order.</param>
/// <param name="Chunks">The partition's chunks, in chunk order.</param>
public sealed record SettlePartitionInput(
    string View,
    int Version,
    long Cutoff,
    long Since,
    IReadOnlyList<ChunkFold> Folds,
    IReadOnlyList<FoldChunk> Chunks
);

/// <summary>A partition's settled folds.</summary>
/// <param name="Partition">The partition.</param>
/// <param name="PartialsBlobs">The partials to merge: the chunks' own, or refolded ones where a chunk held retries of
/// earlier events.</param>
/// <param name="RetriesRemoved">Events dropped as retries of events in earlier chunks or below the starting
/// cutoff.</param>
/// <param name="ChunksRefolded">Chunks folded again (their head, or whole) without those retries.</param>
public sealed record PartitionSettled(
    int Partition,
    IReadOnlyList<string> PartialsBlobs,
    long RetriesRemoved,
    int ChunksRefolded
);

/// <summary>
/// Makes a partition's chunk folds exact across chunks: walks them in order with the identities of every
/// event counted before (the index at the starting cutoff, then each chunk's), and folds again, without
/// them, the part of a chunk that counted an event already counted earlier (a producer retry that
/// crossed a chunk boundary): only the chunk's head when the retries are all there, as they usually are
/// (a retry follows its original closely), else the whole chunk. Then writes the partition's identity
/// index at the new cutoff for the next incremental run. Refolded partials get their own names, so the
/// chunks' outputs are never overwritten.
/// </summary>
[DurableTask(ActivityName)]
public sealed class SettlePartitionActivity(PipelineStore store, SpecRegistry specs)
    : TaskActivity<SettlePartitionInput, PartitionSettled>
{
    /// <summary>The activity's name.</summary>
    public const string ActivityName = "settle-partition";

    /// <inheritdoc />
    public override async Task<PartitionSettled> RunAsync(TaskActivityContext context, SettlePartitionInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var request = input;
        var cancellationToken = CancellationToken.None;
        var view = await specs
            .RequireAsync(new Domain.Views.ViewVersion(request.View, request.Version), CancellationToken.None)
            .ConfigureAwait(false);
        var partition = request.Chunks[0].Partition;
        if (request.Chunks is [var only] && only.IsWholeLogBelow(request.Cutoff))
        {
            // The fold wrote the partition's identity index itself; no earlier event can have been counted.
            return new PartitionSettled(partition, [request.Folds[0].HeadPartialsBlob], 0, 0);
        }

        var seen = await IdentityIndex
            .ReadAsync(store, partition, request.Since, cancellationToken)
            .ConfigureAwait(false);
        var partials = new List<string>();
        long retries = 0;
        var refolded = 0;
        for (var i = 0; i < request.Chunks.Count; i++)
        {
            var (chunk, fold) = (request.Chunks[i], request.Folds[i]);
            var (head, body) = await IdentityIndex
                .ReadPairAsync(store, fold.IdentitiesBlob, cancellationToken)
                .ConfigureAwait(false);
            var (earlierInHead, earlierInBody) = (Intersect(head, seen), Intersect(body, seen));
            if (earlierInBody.Count > 0)
            {
                earlierInBody.UnionWith(earlierInHead);
                var again = await ChunkFolder
                    .FoldAsync(
                        store,
                        view,
                        partition,
                        chunk.FromEpoch,
                        chunk.UntilEpoch,
                        earlierInBody,
                        long.MaxValue,
                        cancellationToken: cancellationToken
                    )
                    .ConfigureAwait(false);
                partials.Add(
                    await WriteAsync(
                            view,
                            fold.HeadPartialsBlob.Replace(
                                ".head.partials",
                                ".settled.partials",
                                StringComparison.Ordinal
                            ),
                            again.Head.Partials,
                            cancellationToken
                        )
                        .ConfigureAwait(false)
                );
                retries += again.Head.Retries - fold.RetriesRemoved;
                refolded++;
            }
            else if (earlierInHead.Count > 0)
            {
                var again = await ChunkFolder
                    .FoldAsync(
                        store,
                        view,
                        partition,
                        chunk.FromEpoch,
                        chunk.UntilEpoch,
                        earlierInHead,
                        long.MaxValue,
                        fold.HeadLastSequence,
                        cancellationToken
                    )
                    .ConfigureAwait(false);
                partials.Add(
                    await WriteAsync(
                            view,
                            fold.HeadPartialsBlob.Replace(
                                ".head.partials",
                                ".head.settled.partials",
                                StringComparison.Ordinal
                            ),
                            again.Head.Partials,
                            cancellationToken
                        )
                        .ConfigureAwait(false)
                );
                partials.AddRange(fold.BodyPartialsBlob is { } rest ? [rest] : []);
                retries += again.Head.Retries - fold.HeadRetriesRemoved;
                refolded++;
            }
            else
            {
                partials.AddRange(
                    fold.BodyPartialsBlob is { } rest ? [fold.HeadPartialsBlob, rest] : [fold.HeadPartialsBlob]
                );
            }

            seen.UnionWith(head);
            seen.UnionWith(body);
        }

        await IdentityIndex.WriteAsync(store, partition, request.Cutoff, seen, cancellationToken).ConfigureAwait(false);
        return new PartitionSettled(partition, partials, retries, refolded);
    }

    private static FingerprintSet Intersect(FingerprintSet counted, FingerprintSet seen)
    {
        var both = new FingerprintSet();
        foreach (var identity in counted)
        {
            if (seen.Contains(identity))
            {
                both.Add(identity);
            }
        }

        return both;
    }

    private async Task<string> WriteAsync(
        ViewDefinition view,
        string name,
        ViewAccumulator partials,
        CancellationToken cancellationToken
    )
    {
        await store
            .Work.GetBlobClient(name)
            .UploadAsync(
                BinaryData.FromBytes(PartialsFile.Write(view, partials.Partials)),
                overwrite: true,
                cancellationToken
            )
            .ConfigureAwait(false);
        return name;
    }
}
