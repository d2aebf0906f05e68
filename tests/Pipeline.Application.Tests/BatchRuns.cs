using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Application.Batch;
using Pipeline.Application.Orchestration;
using Pipeline.Domain.Views;

namespace Pipeline.Application.Tests;

/// <summary>The batch layer of the built-in views on a test context: a local runner and the recompute service.</summary>
internal static class BatchRuns
{
    private sealed class Lifetime : IHostApplicationLifetime
    {
        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => CancellationToken.None;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication()
        {
        }
    }

    public static (LocalOrchestrationRunner Runner, RecomputeService Service) Create(PipelineContext context)
    {
        var registry = ViewRegistry.BuiltIn();
        var runner = new LocalOrchestrationRunner(
            context.Store,
            [new RecomputeOrchestrator()],
            RecomputeActivities.Create(context.Store, context.Progress, context.Pointers, registry),
            NullLogger<LocalOrchestrationRunner>.Instance);
        return (runner, new RecomputeService(context.Progress, context.Store, context.Pointers, Microsoft.Extensions.Options.Options.Create(context.Options), new Lifetime()));
    }

    /// <summary>Runs one recompute to its end and returns its final status.</summary>
    public static async Task<OperationStatus> RecomputeAsync(PipelineContext context, ViewDefinition view, long? cutoff = null, bool full = false)
    {
        var (runner, service) = Create(context);
        using (runner)
        {
            var (operation, _, refusal) = await service.StartAsync(runner, view, cutoff, full);
            Assert.Null(refusal);
            await runner.WaitAsync(operation!.InstanceId);
            return (await runner.GetStatusAsync(operation.InstanceId))!;
        }
    }
}
