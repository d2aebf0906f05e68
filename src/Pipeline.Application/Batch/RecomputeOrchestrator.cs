using System.Text.Json;
using Pipeline.Application.Orchestration;

namespace Pipeline.Application.Batch;

/// <summary>
/// The recompute orchestration, written once for the local runner and Durable Functions: list the
/// partitions, fold each one's raw log below the cutoff in parallel, write the batch view, commit the
/// pointer. Deterministic: everything it decides comes from its input and its activities' results.
/// </summary>
public sealed class RecomputeOrchestrator : IOrchestrator
{
    /// <summary>The orchestrator's name.</summary>
    public const string OrchestratorName = "recompute";

    /// <inheritdoc />
    public string Name => OrchestratorName;

    /// <inheritdoc />
    public async Task<object?> RunAsync(OrchestrationContext context, JsonElement input)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = input.Deserialize<RecomputeInput>(ApiJson.Options)!;
        var partitions = await context.CallActivityAsync<int[]>(ListPartitionsActivity.ActivityName);
        context.SetCustomStatus(Progress("folding", partitions.Length, [], rows: null));

        var folds = await Task.WhenAll(partitions.Select(p => context.CallActivityAsync<PartitionFold>(
            FoldPartitionActivity.ActivityName, new FoldPartitionInput(request.View, request.Version, request.Cutoff, p, context.InstanceId))));
        var duplicates = folds.Sum(f => f.RedeliveredRemoved + f.RetriesRemoved);
        context.SetCustomStatus(Progress("writing", partitions.Length, folds, rows: null));

        var written = await context.CallActivityAsync<JsonElement>(
            WriteBatchViewActivity.ActivityName, new WriteBatchViewInput(request.View, request.Version, request.Cutoff, [.. folds.Select(f => f.PartialsBlob)]));
        var pointer = new BatchPointer(
            request.View, request.Version, request.Cutoff, context.InstanceId,
            written.GetProperty("rows").GetInt64(), written.GetProperty("events").GetInt64(), duplicates,
            folds.Where(f => f.LastSequence >= 0).ToDictionary(f => f.Partition, f => f.LastSequence), default);
        var result = await context.CallActivityAsync<RecomputeResult>(CommitBatchViewActivity.ActivityName, pointer);
        context.SetCustomStatus(Progress(result.Committed ? "committed" : "already committed", partitions.Length, folds, pointer.Rows));
        return result;
    }

    private static RecomputeProgress Progress(string phase, int partitions, PartitionFold[] folds, long? rows) => new(
        phase, partitions, folds.Length, folds.Sum(f => f.Segments), folds.Sum(f => f.EventsRead),
        folds.Sum(f => f.RedeliveredRemoved), folds.Sum(f => f.RetriesRemoved), rows);
}
