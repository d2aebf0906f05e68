using Microsoft.Extensions.DependencyInjection;
using Pipeline.Application.Batch;
using Pipeline.Application.Orchestration;
using Pipeline.Domain.Views;

namespace Pipeline.Application.Tests;

/// <summary>The batch layer of the built-in views on a test context, run by its Durable Task engine.</summary>
internal static class BatchRuns
{
    public static async Task<RecomputeService> ServiceAsync(PipelineContext context) =>
        (await context.EngineAsync()).Services.GetRequiredService<RecomputeService>();

    /// <summary>Runs one recompute to its end and returns its final status.</summary>
    public static async Task<OperationStatus> RecomputeAsync(PipelineContext context, ViewDefinition view, long? cutoff = null, bool full = false)
    {
        var engine = await context.EngineAsync();
        var (operation, _, refusal) = await engine.Services.GetRequiredService<RecomputeService>().StartAsync(engine.Client, view, cutoff, full);
        Assert.Null(refusal);
        await engine.WaitAsync(operation!.InstanceId);
        return (await PipelineOperations.GetAsync(engine.Client, operation.InstanceId))!;
    }
}
