using Microsoft.DurableTask;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Application.Audit;
using Pipeline.Application.Batch;
using Pipeline.Application.Operations;

namespace Pipeline.Application.Tests;

/// <summary>The pipeline's tasks with one activity held before each run: a run caught in mid-flight.</summary>
internal static class GatedTasks
{
    /// <summary>Each activity's registration, in <see cref="PipelineTasks.ActivityNames"/>' order.</summary>
    private static readonly (string Name, Action<DurableTaskRegistry> Add)[] Activities =
    [
        (PlanFoldsActivity.ActivityName, r => r.AddActivity<PlanFoldsActivity>()),
        (FoldChunkActivity.ActivityName, r => r.AddActivity<FoldChunkActivity>()),
        (FindSettledActivity.ActivityName, r => r.AddActivity<FindSettledActivity>()),
        (SettleShardActivity.ActivityName, r => r.AddActivity<SettleShardActivity>()),
        (RefoldChunkActivity.ActivityName, r => r.AddActivity<RefoldChunkActivity>()),
        (WriteBatchViewActivity.ActivityName, r => r.AddActivity<WriteBatchViewActivity>()),
        (CommitBatchViewActivity.ActivityName, r => r.AddActivity<CommitBatchViewActivity>()),
        (ReadPointerActivity.ActivityName, r => r.AddActivity<ReadPointerActivity>()),
        (AuditActivity.ActivityName, r => r.AddActivity<AuditActivity>()),
    ];

    /// <summary>
    /// Every orchestrator and activity of the pipeline, the activity <typeparamref name="TActivity"/> awaiting
    /// <paramref name="before"/> ahead of each run (a gate the test opens, or a run that never returns).
    /// </summary>
    public static Action<DurableTaskRegistry> Holding<TActivity, TInput, TOutput>(string name, Func<Task> before)
        where TActivity : TaskActivity<TInput, TOutput>
    {
        if (!Activities.Select(a => a.Name).SequenceEqual(PipelineTasks.ActivityNames))
        {
            throw new InvalidOperationException("GatedTasks.Activities no longer lists PipelineTasks.ActivityNames");
        }

        return tasks =>
        {
            tasks.AddOrchestrator<RecomputeOrchestrator>().AddOrchestrator<AuditOrchestrator>();
            foreach (var activity in Activities.Where(a => a.Name != name))
            {
                activity.Add(tasks);
            }

            tasks.AddActivity(
                name,
                sp => new Held<TInput, TOutput>(ActivatorUtilities.CreateInstance<TActivity>(sp), before)
            );
        };
    }

    private sealed class Held<TInput, TOutput>(TaskActivity<TInput, TOutput> inner, Func<Task> before)
        : TaskActivity<TInput, TOutput>
    {
        public override async Task<TOutput> RunAsync(TaskActivityContext context, TInput input)
        {
            await before();
            return await inner.RunAsync(context, input);
        }
    }
}
