using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Application.Audit;
using Pipeline.Application.Batch;
using Pipeline.Application.Ingest;
using Pipeline.Domain.Views;
using Pipeline.Testing;

namespace Pipeline.Application.Tests;

/// <summary>What the batch timer starts on its own.</summary>
[Collection(UsesBatchAzurite.Name)]
public class BatchScheduleTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task ADueAudit_IsNotStartedAgain_WhileOneOfTheSameVersionRuns()
    {
        await using var context = await PipelineContext.CreateAsync(
            azurite,
            epoch: TimeSpan.FromSeconds(10),
            settings: new Dictionary<string, string?> { ["Pipeline:AuditInterval"] = "00:01:00" }
        );
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var engine = await context.EngineAsync(
            GatedTasks.Holding<AuditActivity, AuditRequest, AuditSummary>(AuditActivity.ActivityName, () => gate.Task)
        );
        var body = Encoding.UTF8.GetBytes(PipelineContext.Event("1", "user.signup", "u", 0));
        await context.NewHandler().IngestAsync(new IngestBatch(0, [new IncomingEvent(body, 0, PipelineContext.Start)]));
        context.Time.SetUtcNow(PipelineContext.Start.AddMinutes(1));
        foreach (var view in context.Registry.All)
        {
            await BatchRuns.RecomputeAsync(context, view);
        }

        var schedule = engine.Services.GetRequiredService<BatchSchedule>();
        Assert.Equal(4, await schedule.StartDueAuditsAsync(engine.Client));
        Assert.Equal(0, await schedule.StartDueAuditsAsync(engine.Client));

        gate.SetResult();
        foreach (var view in context.Registry.All)
        {
            await WaitForAuditAsync(engine.Client, view);
        }

        context.Time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(4, await schedule.StartDueAuditsAsync(engine.Client));
    }

    private static async Task WaitForAuditAsync(
        Microsoft.DurableTask.Client.DurableTaskClient client,
        ViewDefinition view
    )
    {
        for (
            var attempt = 0;
            attempt < 300 && await Operations.OperationService.IsAuditRunningAsync(client, view.Id);
            attempt++
        )
        {
            await Task.Delay(100);
        }
    }
}
