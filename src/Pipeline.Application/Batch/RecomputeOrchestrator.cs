using Microsoft.DurableTask;
using Pipeline.Application.Operations;

namespace Pipeline.Application.Batch;

/// <summary>
/// The recompute orchestration, run by the dev host's Durable Task engine and by Durable Functions: plan the fold
/// chunks (runs of whole epochs of each partition's raw log below the cutoff; only the epochs since the
/// committed cutoff, for an incremental run), fold every chunk in parallel, settle each partition
/// (producer retries across chunks), write the batch view, commit the pointer. Deterministic:
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
        var chunks = await context.CallActivityAsync<FoldChunk[]>(
            PlanFoldsActivity.ActivityName,
            new PlanFoldsInput(request.Cutoff, request.Since, request.ChunkEvents),
            retries
        );
        context.SetCustomStatus(Progress("folding", chunks, [], [], rows: null));

        var calls = chunks
            .Select(c =>
                context.CallActivityAsync<ChunkFold>(
                    FoldChunkActivity.ActivityName,
                    new FoldChunkInput(request.View, request.Version, c, context.InstanceId, request.Cutoff),
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
        var settled = await Task.WhenAll(
            chunks
                .GroupBy(c => c.Partition)
                .Select(partition =>
                    context.CallActivityAsync<PartitionSettled>(
                        SettlePartitionActivity.ActivityName,
                        new SettlePartitionInput(
                            request.View,
                            request.Version,
                            request.Cutoff,
                            request.Since,
                            [.. folds.Where(f => f.Partition == partition.Key).OrderBy(f => f.Chunk)],
                            [.. partition.OrderBy(c => c.Chunk)]
                        ),
                        retries
                    )
                )
        );
        context.SetCustomStatus(Progress("writing", chunks, folds, settled, rows: null));

        var written = await context.CallActivityAsync<BatchViewWritten>(
            WriteBatchViewActivity.ActivityName,
            new WriteBatchViewInput(
                request.View,
                request.Version,
                request.Cutoff,
                [.. settled.SelectMany(s => s.PartialsBlobs)],
                request.Since
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
            folds.Sum(f => f.RedeliveredRemoved + f.RetriesRemoved) + settled.Sum(s => s.RetriesRemoved),
            byPartition
                .Where(p => p.Max(f => f.LastSequence) >= 0)
                .ToDictionary(p => p.Key, p => p.Max(f => f.LastSequence)),
            default,
            new BatchTimings(
                folds.Length == 0 ? 0 : folds.Max(f => f.Seconds),
                written.Seconds,
                folds.Sum(f => f.EventsRead)
            ),
            byPartition.ToDictionary(p => p.Key, p => p.Sum(f => f.EventsRead - f.RedeliveredRemoved))
        );
        if (request.Since > 0)
        {
            // Partitions with nothing new keep the position the previous batch view covered.
            var previous = await context.CallActivityAsync<BatchPointer?>(
                ReadPointerActivity.ActivityName,
                new PointerKey(request.View, request.Version),
                retries
            );
            var covered = new Dictionary<int, long>(previous?.LastSequences ?? new Dictionary<int, long>());
            foreach (var (partition, last) in pointer.LastSequences)
            {
                covered[partition] = last;
            }

            var logged = new Dictionary<int, long>(previous?.LoggedEvents ?? new Dictionary<int, long>());
            foreach (var (partition, events) in pointer.LoggedEvents!)
            {
                logged[partition] = logged.GetValueOrDefault(partition) + events;
            }

            pointer = pointer with
            {
                LastSequences = covered,
                DuplicatesRemoved = pointer.DuplicatesRemoved + (previous?.DuplicatesRemoved ?? 0),
                LoggedEvents = previous?.LoggedEvents is null ? null : logged,
            };
        }

        var result = await context.CallActivityAsync<RecomputeResult>(
            CommitBatchViewActivity.ActivityName,
            pointer,
            retries
        );
        context.SetCustomStatus(
            Progress(result.Committed ? "committed" : "already committed", chunks, folds, settled, pointer.Rows)
        );
        return result;
    }

    private static RecomputeProgress Progress(
        string phase,
        FoldChunk[] chunks,
        ChunkFold[] folds,
        PartitionSettled[] settled,
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
            folds.Sum(f => f.RetriesRemoved) + settled.Sum(s => s.RetriesRemoved),
            rows
        );
}
