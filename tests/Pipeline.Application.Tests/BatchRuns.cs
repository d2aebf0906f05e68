using Microsoft.Extensions.DependencyInjection;
using Pipeline.Application.Batch;
using Pipeline.Application.Operations;
using Pipeline.Domain.Views;

namespace Pipeline.Application.Tests;

/// <summary>The batch layer of the built-in views on a test context, run by its Durable Task engine.</summary>
internal static class BatchRuns
{
    public static async Task<RunStarter> StarterAsync(PipelineContext context) =>
        (await context.EngineAsync()).Services.GetRequiredService<RunStarter>();

    /// <summary>Runs one recompute (or, <paramref name="full"/>, a replay) to its end and returns its final
    /// status.</summary>
    public static async Task<OperationStatus> RecomputeAsync(
        PipelineContext context,
        ViewDefinition view,
        long? cutoff = null,
        bool full = false
    )
    {
        var engine = await context.EngineAsync();
        var outcome = await engine
            .Services.GetRequiredService<RunStarter>()
            .StartAsync(engine.Client, view, full ? OperationKind.Replay : OperationKind.Recompute, cutoff);
        Assert.True(outcome.Succeeded, string.Join("; ", outcome.Problems));
        await engine.WaitAsync(outcome.Result.OperationId);
        return (await PipelineOperations.GetAsync(engine.Client, outcome.Result.OperationId))!;
    }
}
