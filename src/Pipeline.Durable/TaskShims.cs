using DurableTask.Core;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Worker;
using Microsoft.DurableTask.Worker.Shims;
using Microsoft.Extensions.DependencyInjection;

namespace Pipeline.Durable;

/// <summary>
/// Hands the engine the orchestrators registered with <c>AddDurableTaskWorker(b =&gt; b.AddTasks(...))</c>,
/// turned into engine orchestrations by the SDK's shims, by name, as the engine asks for them.
/// Orchestrators come from the root provider: they must not hold state or I/O.
/// </summary>
internal sealed class OrchestratorShims(
    IDurableTaskFactory factory,
    DurableTaskShimFactory shims,
    IServiceProvider services
) : INameVersionObjectManager<TaskOrchestration>
{
    public void Add(ObjectCreator<TaskOrchestration> creator) =>
        throw new NotSupportedException("orchestrators are registered with AddDurableTaskWorker(...).AddTasks(...)");

    public TaskOrchestration? GetObject(string name, string? version) =>
        factory.TryCreateOrchestrator(new TaskName(name), services, out var orchestrator)
            ? shims.CreateOrchestration(
                new TaskName(name),
                orchestrator,
                properties: new Dictionary<string, object?>(),
                parent: null
            )
            : null;
}

/// <summary>The registered activities, each run in a dependency-injection scope of its own.</summary>
internal sealed class ActivityShims(
    IDurableTaskFactory factory,
    DurableTaskShimFactory shims,
    IServiceScopeFactory scopes
) : INameVersionObjectManager<TaskActivity>
{
    public void Add(ObjectCreator<TaskActivity> creator) =>
        throw new NotSupportedException("activities are registered with AddDurableTaskWorker(...).AddTasks(...)");

    public TaskActivity GetObject(string name, string? version) =>
        new ScopedActivity(new TaskName(name), factory, shims, scopes);

    /// <summary>Creates the activity in a new scope for each run, and disposes the scope after it.</summary>
    private sealed class ScopedActivity(
        TaskName name,
        IDurableTaskFactory factory,
        DurableTaskShimFactory shims,
        IServiceScopeFactory scopes
    ) : TaskActivity
    {
        public override async Task<string?> RunAsync(TaskContext context, string? input)
        {
            await using var scope = scopes.CreateAsyncScope();
            if (!factory.TryCreateActivity(name, scope.ServiceProvider, out var activity))
            {
                throw new InvalidOperationException($"no activity is named '{name.Name}'");
            }

            return await shims.CreateActivity(name, activity).RunAsync(context, input).ConfigureAwait(false);
        }

        public override string Run(TaskContext context, string input) =>
            throw new NotSupportedException("activities run asynchronously");
    }
}
