using System.Text.Json;
using Pipeline.Application.Orchestration;

namespace Pipeline.Application.Batch;

/// <summary>
/// The recompute orchestration, written once for the local runner and Durable Functions: list the
/// partitions, fold each one's raw log below the cutoff in parallel (only the epochs since the committed
/// cutoff, for an incremental run), write the batch view, commit the pointer. Deterministic: everything it decides comes from its input and its activities' results.
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

        var calls = partitions.Select(p => context.CallActivityAsync<PartitionFold>(
            FoldPartitionActivity.ActivityName, new FoldPartitionInput(request.View, request.Version, request.Cutoff, p, context.InstanceId, request.Since))).ToList();

        // Progress as each partition finishes (Task.WhenAny over activity calls is deterministic on replay).
        var pending = calls.ToList();
        var finished = new List<PartitionFold>();
        while (pending.Count > 0)
        {
            var next = await Task.WhenAny(pending);
            pending.Remove(next);
            finished.Add(await next);
            context.SetCustomStatus(Progress("folding", partitions.Length, [.. finished], rows: null));
        }

        var folds = await Task.WhenAll(calls);
        var duplicates = folds.Sum(f => f.RedeliveredRemoved + f.RetriesRemoved);
        context.SetCustomStatus(Progress("writing", partitions.Length, folds, rows: null));

        var written = await context.CallActivityAsync<JsonElement>(
            WriteBatchViewActivity.ActivityName, new WriteBatchViewInput(request.View, request.Version, request.Cutoff, [.. folds.Select(f => f.PartialsBlob)], request.Since));
        var pointer = new BatchPointer(
            request.View, request.Version, request.Cutoff, context.InstanceId,
            written.GetProperty("rows").GetInt64(), written.GetProperty("events").GetInt64(), duplicates,
            folds.Where(f => f.LastSequence >= 0).ToDictionary(f => f.Partition, f => f.LastSequence), default,
            new BatchTimings(folds.Length == 0 ? 0 : folds.Max(f => f.Seconds), written.GetProperty("seconds").GetDouble(), folds.Sum(f => f.EventsRead)),
            folds.ToDictionary(f => f.Partition, f => f.EventsRead - f.RedeliveredRemoved));
        if (request.Since > 0)
        {
            // Partitions with nothing new keep the position the previous batch view covered.
            var previous = await context.CallActivityAsync<BatchPointer?>(ReadPointerActivity.ActivityName, new[] { request.View, request.Version.ToString(System.Globalization.CultureInfo.InvariantCulture) });
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

            pointer = pointer with { LastSequences = covered, DuplicatesRemoved = pointer.DuplicatesRemoved + (previous?.DuplicatesRemoved ?? 0), LoggedEvents = previous?.LoggedEvents is null ? null : logged };
        }

        var result = await context.CallActivityAsync<RecomputeResult>(CommitBatchViewActivity.ActivityName, pointer);
        context.SetCustomStatus(Progress(result.Committed ? "committed" : "already committed", partitions.Length, folds, pointer.Rows));
        return result;
    }

    private static RecomputeProgress Progress(string phase, int partitions, PartitionFold[] folds, long? rows) => new(
        phase, partitions, folds.Length, folds.Sum(f => f.Segments), folds.Sum(f => f.EventsRead),
        folds.Sum(f => f.RedeliveredRemoved), folds.Sum(f => f.RetriesRemoved), rows);
}
