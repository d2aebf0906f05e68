using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Application.Audit;
using Pipeline.Application.Batch;

namespace Pipeline.Functions;

/// <summary>
/// The batch layer on Durable Functions: the timer that starts recomputes and audits and retires covered
/// speed rows, and one function per orchestrator and activity class, which the dev host's Durable Task
/// engine runs unchanged. Each function only hands its trigger to the class (activities are created in
/// the invocation's scope).
/// </summary>
public sealed class BatchFunctions(BatchSchedule schedule)
{
    [Function("batch-schedule")]
    public Task ScheduleAsync(
        [TimerTrigger("%" + RecomputeSchedule.Setting + "%")] TimerInfo timer,
        [DurableClient] DurableTaskClient client,
        FunctionContext context
    ) => schedule.RunOnceAsync(client, context.CancellationToken);

    [Function(RecomputeOrchestrator.OrchestratorName)]
    public static Task<RecomputeResult> RecomputeAsync([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new RecomputeOrchestrator().RunAsync(context, context.GetInput<RecomputeInput>()!);

    [Function(AuditOrchestrator.OrchestratorName)]
    public static Task<AuditSummary> AuditAsync([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new AuditOrchestrator().RunAsync(context, context.GetInput<AuditRequest>()!);

    [Function(PlanFoldsActivity.ActivityName)]
    public static Task<FoldChunk[]> PlanFoldsAsync([ActivityTrigger] PlanFoldsInput input, FunctionContext context) =>
        Run<PlanFoldsActivity, PlanFoldsInput, FoldChunk[]>(context, PlanFoldsActivity.ActivityName, input);

    [Function(FoldChunkActivity.ActivityName)]
    public static Task<ChunkFold> FoldChunkAsync([ActivityTrigger] FoldChunkInput input, FunctionContext context) =>
        Run<FoldChunkActivity, FoldChunkInput, ChunkFold>(context, FoldChunkActivity.ActivityName, input);

    [Function(FindSettledActivity.ActivityName)]
    public static Task<ShardSettled[]?> FindSettledAsync(
        [ActivityTrigger] IReadOnlyList<string> input,
        FunctionContext context
    ) =>
        Run<FindSettledActivity, IReadOnlyList<string>, ShardSettled[]?>(
            context,
            FindSettledActivity.ActivityName,
            input
        );

    [Function(SettleShardActivity.ActivityName)]
    public static Task<ShardSettled> SettleShardAsync(
        [ActivityTrigger] SettleShardInput input,
        FunctionContext context
    ) => Run<SettleShardActivity, SettleShardInput, ShardSettled>(context, SettleShardActivity.ActivityName, input);

    [Function(RefoldChunkActivity.ActivityName)]
    public static Task<ChunkRefolded> RefoldChunkAsync(
        [ActivityTrigger] RefoldChunkInput input,
        FunctionContext context
    ) => Run<RefoldChunkActivity, RefoldChunkInput, ChunkRefolded>(context, RefoldChunkActivity.ActivityName, input);

    [Function(WriteBatchViewActivity.ActivityName)]
    public static Task<BatchViewWritten> WriteBatchViewAsync(
        [ActivityTrigger] WriteBatchViewInput input,
        FunctionContext context
    ) =>
        Run<WriteBatchViewActivity, WriteBatchViewInput, BatchViewWritten>(
            context,
            WriteBatchViewActivity.ActivityName,
            input
        );

    [Function(CommitBatchViewActivity.ActivityName)]
    public static Task<RecomputeResult> CommitBatchViewAsync(
        [ActivityTrigger] BatchPointer input,
        FunctionContext context
    ) =>
        Run<CommitBatchViewActivity, BatchPointer, RecomputeResult>(
            context,
            CommitBatchViewActivity.ActivityName,
            input
        );

    [Function(ReadPointerActivity.ActivityName)]
    public static Task<BatchPointer?> ReadPointerAsync([ActivityTrigger] PointerKey input, FunctionContext context) =>
        Run<ReadPointerActivity, PointerKey, BatchPointer?>(context, ReadPointerActivity.ActivityName, input);

    [Function(AuditActivity.ActivityName)]
    public static Task<AuditSummary> AuditViewAsync([ActivityTrigger] AuditRequest input, FunctionContext context) =>
        Run<AuditActivity, AuditRequest, AuditSummary>(context, AuditActivity.ActivityName, input);

    private static Task<TOutput> Run<TActivity, TInput, TOutput>(FunctionContext context, string name, TInput input)
        where TActivity : TaskActivity<TInput, TOutput> =>
        ActivatorUtilities
            .CreateInstance<TActivity>(context.InstanceServices)
            .RunAsync(new InvocationActivityContext(name, context.InvocationId), input);

    /// <summary>What an activity class may ask of its context, from the Functions invocation.</summary>
    private sealed class InvocationActivityContext(string name, string invocationId) : TaskActivityContext
    {
        public override TaskName Name { get; } = name;

        public override string InstanceId { get; } = invocationId;
    }
}
