using System.Text.Json;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Pipeline.Application.Batch;
using Pipeline.Application.Orchestration;

namespace Pipeline.Functions;

/// <summary>
/// The batch layer on Durable Functions: the timer that starts recomputes and retires covered speed rows,
/// the recompute orchestrator, and one activity function per shared activity. The orchestration code is
/// the one the dev host's local runner executes.
/// </summary>
public sealed class BatchFunctions(BatchSchedule schedule, OrchestrationCatalog orchestrations)
{
    [Function("batch-schedule")]
    public Task ScheduleAsync([TimerTrigger("%RecomputeSchedule%")] TimerInfo timer, [DurableClient] DurableTaskClient client, FunctionContext context) =>
        schedule.RunOnceAsync(new DurableOrchestrationClient(client), context.CancellationToken);

    [Function("recompute")]
    public Task<object?> RecomputeOrchestratorAsync([OrchestrationTrigger] TaskOrchestrationContext context) =>
        orchestrations.RunOrchestratorAsync("recompute", new DurableOrchestrationContext(context), context.GetInput<JsonElement>());

    [Function("audit")]
    public Task<object?> AuditOrchestratorAsync([OrchestrationTrigger] TaskOrchestrationContext context) =>
        orchestrations.RunOrchestratorAsync("audit", new DurableOrchestrationContext(context), context.GetInput<JsonElement>());

    [Function("audit-view")]
    public Task<JsonElement> AuditViewAsync([ActivityTrigger] JsonElement input, FunctionContext context) =>
        orchestrations.RunActivityAsync("audit-view", input, context.CancellationToken);

    [Function("plan-folds")]
    public Task<JsonElement> PlanFoldsAsync([ActivityTrigger] JsonElement input, FunctionContext context) =>
        orchestrations.RunActivityAsync("plan-folds", input, context.CancellationToken);

    [Function("fold-chunk")]
    public Task<JsonElement> FoldChunkAsync([ActivityTrigger] JsonElement input, FunctionContext context) =>
        orchestrations.RunActivityAsync("fold-chunk", input, context.CancellationToken);

    [Function("settle-partition")]
    public Task<JsonElement> SettlePartitionAsync([ActivityTrigger] JsonElement input, FunctionContext context) =>
        orchestrations.RunActivityAsync("settle-partition", input, context.CancellationToken);

    [Function("write-batch-view")]
    public Task<JsonElement> WriteBatchViewAsync([ActivityTrigger] JsonElement input, FunctionContext context) =>
        orchestrations.RunActivityAsync("write-batch-view", input, context.CancellationToken);

    [Function("commit-batch-view")]
    public Task<JsonElement> CommitBatchViewAsync([ActivityTrigger] JsonElement input, FunctionContext context) =>
        orchestrations.RunActivityAsync("commit-batch-view", input, context.CancellationToken);

    [Function("read-pointer")]
    public Task<JsonElement> ReadPointerAsync([ActivityTrigger] JsonElement input, FunctionContext context) =>
        orchestrations.RunActivityAsync("read-pointer", input, context.CancellationToken);
}
