using Microsoft.DurableTask;
using Pipeline.Application.Operations;
using Pipeline.Application.Storage;

namespace Pipeline.Application.Batch;

/// <summary>
/// The recompute orchestration, run by the dev host's Durable Task engine and by Durable Functions: plan the fold
/// chunks (runs of whole epochs of each partition's raw log below the cutoff, none longer than the retry horizon;
/// only the epochs since the committed cutoff, for an incremental run), fold every chunk in parallel, settle each
/// identity shard (producer retries across chunks and partitions), fold again the chunks that counted a retry,
/// write the batch view, commit the pointer. Deterministic:
/// everything it decides comes from its input and its activities' results.
/// </summary>
[DurableTask(OrchestratorName)]
public sealed class RecomputeOrchestrator : TaskOrchestrator<RecomputeInput, RecomputeResult>
{
    /// <summary>The orchestrator's name.</summary>
    public const string OrchestratorName = "recompute";

    /// <inheritdoc />
    public override async Task<RecomputeResult> RunAsync(TaskOrchestrationContext context, RecomputeInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        var request = input;
        var retries = PipelineTasks.ActivityRetries;

        // An incremental run builds on the identity index its predecessor wrote; without one (a pointer from before
        // the index, or another retry horizon since) the run starts from the beginning of the log.
        var previous =
            request.Since > 0
                ? await context.CallActivityAsync<BatchPointer?>(
                    ReadPointerActivity.ActivityName,
                    new PointerKey(request.View, request.Version),
                    retries
                )
                : null;
        var since =
            previous is { IdentityShards: > 0 }
            && previous.Cutoff == request.Since
            && previous.RetryHorizon == request.Horizon
                ? request.Since
                : 0;
        previous = since > 0 ? previous : null;

        var chunks = await context.CallActivityAsync<FoldChunk[]>(
            PlanFoldsActivity.ActivityName,
            new PlanFoldsInput(request.Cutoff, since, request.ChunkEvents, request.Horizon),
            retries
        );
        var shards = IdentityShards.For(
            chunks.Sum(c => c.Records) + (previous?.IdentityEntries ?? 0),
            request.SettleShardIdentities
        );
        string Settled(int shard, string extension) =>
            StorageLayout.Work.Settled(
                request.Horizon,
                shards,
                shard,
                since,
                request.Cutoff,
                request.ChunkEvents,
                extension
            );
        var settledBefore = await context.CallActivityAsync<ShardSettled[]?>(
            FindSettledActivity.ActivityName,
            Enumerable.Range(0, shards).Select(shard => Settled(shard, "json")).ToList(),
            retries
        );
        context.SetCustomStatus(Progress("folding", chunks, [], [], rows: null));

        var calls = chunks
            .Select(c =>
                context.CallActivityAsync<ChunkFold>(
                    FoldChunkActivity.ActivityName,
                    new FoldChunkInput(
                        request.View,
                        request.Version,
                        c,
                        context.InstanceId,
                        request.Cutoff,
                        settledBefore is null ? shards : 0
                    ),
                    retries
                )
            )
            .ToList();

        // Progress as each chunk finishes (Task.WhenAny over activity calls is deterministic on replay).
        var pending = calls.ToList();
        var finished = new List<ChunkFold>();
        while (pending.Count > 0)
        {
            var next = await Task.WhenAny(pending);
            pending.Remove(next);
            finished.Add(await next);
            context.SetCustomStatus(Progress("folding", chunks, [.. finished], [], rows: null));
        }

        var folds = await Task.WhenAll(calls);
        context.SetCustomStatus(Progress("settling", chunks, folds, [], rows: null));
        var settled =
            settledBefore
            ?? await Task.WhenAll(
                Enumerable
                    .Range(0, shards)
                    .Select(shard =>
                        context.CallActivityAsync<ShardSettled>(
                            SettleShardActivity.ActivityName,
                            new SettleShardInput(
                                context.InstanceId,
                                shard,
                                shards,
                                since,
                                previous?.IdentityShards ?? 0,
                                request.Cutoff,
                                request.Horizon,
                                [
                                    .. folds
                                        .Select(f => new ShardCopies(
                                            f.Partition,
                                            f.Chunk,
                                            f.CopiesBlob,
                                            f.ShardStarts[shard],
                                            f.ShardStarts[shard + 1] - f.ShardStarts[shard]
                                        ))
                                        .Where(c => c.Count > 0),
                                ],
                                Settled(shard, "exclusions"),
                                Settled(shard, "json")
                            ),
                            retries
                        )
                    )
            );
        var exclusions = settled
            .SelectMany(s => s.Chunks)
            .GroupBy(e => (e.Partition, e.Chunk))
            .ToDictionary(g => g.Key, g => g.ToList());
        var refolded = await Task.WhenAll(
            chunks
                .Zip(folds)
                .Where(c => exclusions.ContainsKey((c.First.Partition, c.First.Chunk)))
                .Select(c =>
                    context.CallActivityAsync<ChunkRefolded>(
                        RefoldChunkActivity.ActivityName,
                        new RefoldChunkInput(
                            request.View,
                            request.Version,
                            c.First,
                            c.Second,
                            exclusions[(c.First.Partition, c.First.Chunk)]
                        ),
                        retries
                    )
                )
        );
        context.SetCustomStatus(Progress("writing", chunks, folds, refolded, rows: null));

        var partials = folds
            .SelectMany(f =>
                refolded.FirstOrDefault(r => r.Partition == f.Partition && r.Chunk == f.Chunk) is { } again
                    ? again.PartialsBlobs
                    : RefoldChunkActivity.PartialsOf(f)
            )
            .ToList();
        var written = await context.CallActivityAsync<BatchViewWritten>(
            WriteBatchViewActivity.ActivityName,
            new WriteBatchViewInput(
                request.View,
                request.Version,
                request.Cutoff,
                partials,
                since,
                previous?.ServedDaysBlob
            ),
            retries
        );
        var byPartition = folds.GroupBy(f => f.Partition).ToList();
        var pointer = new BatchPointer(
            request.View,
            request.Version,
            request.Cutoff,
            context.InstanceId,
            written.Rows,
            written.Events,
            folds.Sum(f => f.RedeliveredRemoved + f.RetriesRemoved) + refolded.Sum(r => r.RetriesRemoved),
            byPartition
                .Where(p => p.Max(f => f.LastSequence) >= 0)
                .ToDictionary(p => p.Key, p => p.Max(f => f.LastSequence)),
            default,
            new BatchTimings(
                folds.Length == 0 ? 0 : folds.Max(f => f.Seconds),
                written.Seconds,
                folds.Sum(f => f.EventsRead),
                written.RowsWritten,
                written.DaysWritten
            ),
            byPartition.ToDictionary(p => p.Key, p => p.Sum(f => f.EventsRead - f.RedeliveredRemoved)),
            shards,
            settled.Sum(s => s.IndexEntries),
            request.Horizon,
            written.ServedDaysBlob
        );
        if (previous is not null)
        {
            // Partitions with nothing new keep the position the previous batch view covered.
            var covered = new Dictionary<int, long>(previous.LastSequences);
            foreach (var (partition, last) in pointer.LastSequences)
            {
                covered[partition] = last;
            }

            var logged = new Dictionary<int, long>(previous.LoggedEvents ?? new Dictionary<int, long>());
            foreach (var (partition, events) in pointer.LoggedEvents!)
            {
                logged[partition] = logged.GetValueOrDefault(partition) + events;
            }

            pointer = pointer with
            {
                LastSequences = covered,
                DuplicatesRemoved = pointer.DuplicatesRemoved + previous.DuplicatesRemoved,
                LoggedEvents = previous.LoggedEvents is null ? null : logged,
            };
        }

        var result = await context.CallActivityAsync<RecomputeResult>(
            CommitBatchViewActivity.ActivityName,
            pointer,
            retries
        );
        context.SetCustomStatus(
            Progress(result.Committed ? "committed" : "already committed", chunks, folds, refolded, pointer.Rows)
        );
        return result;
    }

    private static RecomputeProgress Progress(
        string phase,
        FoldChunk[] chunks,
        ChunkFold[] folds,
        ChunkRefolded[] refolded,
        long? rows
    ) =>
        new(
            phase,
            chunks.Select(c => c.Partition).Distinct().Count(),
            chunks.Length,
            folds.Length,
            chunks.Sum(c => c.Segments),
            folds.Sum(f => f.Segments),
            chunks.Sum(c => c.Records),
            folds.Sum(f => f.EventsRead),
            folds.Sum(f => f.RedeliveredRemoved),
            folds.Sum(f => f.RetriesRemoved) + refolded.Sum(r => r.RetriesRemoved),
            rows
        );
}
