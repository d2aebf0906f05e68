using Azure;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Converters;
using Pipeline.Application.Audit;
using Pipeline.Application.Batch;
using Pipeline.Application.Storage;

namespace Pipeline.Application.Operations;

/// <summary>
/// The pipeline's orchestrators and activities, written once on the Durable Task SDK and run unchanged by
/// the dev host's Durable Task engine and by Durable Functions: their names, their registration, the
/// retry policy of activity calls, and the one JSON converter both hosts use.
/// </summary>
public static class PipelineTasks
{
    /// <summary>
    /// Inputs, outputs and custom status as JSON in the pipeline's own conventions (camelCase, enums as
    /// strings), on both hosts, so an operation's status reads the same wherever it ran.
    /// </summary>
    public static DataConverter DataConverter { get; } = new JsonDataConverter(ApiJson.Options);

    /// <summary>Every orchestrator's name.</summary>
    public static IReadOnlyList<string> OrchestratorNames { get; } =
    [RecomputeOrchestrator.OrchestratorName, AuditOrchestrator.OrchestratorName];

    /// <summary>Every activity's name.</summary>
    public static IReadOnlyList<string> ActivityNames { get; } =
    [
        PlanFoldsActivity.ActivityName,
        FoldChunkActivity.ActivityName,
        FindSettledActivity.ActivityName,
        SettleShardActivity.ActivityName,
        RefoldChunkActivity.ActivityName,
        WriteBatchViewActivity.ActivityName,
        CommitBatchViewActivity.ActivityName,
        ReadPointerActivity.ActivityName,
        AuditActivity.ActivityName,
    ];

    /// <summary>
    /// How activity calls are retried: up to six attempts, 2, 4, 8, 16 and 30 s apart, when the failure was a
    /// storage or network error (a damaged segment or a bug fails at once). With the storage clients' own
    /// retries inside each attempt, a run rides out a storage outage of about a minute and a half; a longer
    /// one fails the run, the committed batch view keeps serving, and the next scheduled run starts again.
    /// Activities are idempotent, so a retry, like a re-run after a crash, writes the same content to the
    /// same places.
    /// </summary>
    public static TaskOptions ActivityRetries { get; } =
        TaskOptions.FromRetryPolicy(
            new RetryPolicy(6, TimeSpan.FromSeconds(2), 2, TimeSpan.FromSeconds(30))
            {
                HandleFailure = TransientFailures.IsTransient,
            }
        );

    /// <summary>Registers every orchestrator and activity (activities are created in the scope of their run).</summary>
    public static DurableTaskRegistry AddPipelineTasks(this DurableTaskRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return registry
            .AddOrchestrator<RecomputeOrchestrator>()
            .AddOrchestrator<AuditOrchestrator>()
            .AddActivity<PlanFoldsActivity>()
            .AddActivity<FoldChunkActivity>()
            .AddActivity<FindSettledActivity>()
            .AddActivity<SettleShardActivity>()
            .AddActivity<RefoldChunkActivity>()
            .AddActivity<WriteBatchViewActivity>()
            .AddActivity<CommitBatchViewActivity>()
            .AddActivity<ReadPointerActivity>()
            .AddActivity<AuditActivity>();
    }
}
