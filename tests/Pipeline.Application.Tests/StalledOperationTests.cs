using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Application.Batch;
using Pipeline.Application.Ingest;
using Pipeline.Application.Operations;
using Pipeline.Domain.Views;
using Pipeline.Testing;

namespace Pipeline.Application.Tests;

/// <summary>An operation whose step never finishes (its message lost to the engine) is restarted by the timer.</summary>
[Collection(UsesBatchAzurite.Name)]
public class StalledOperationTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task ARecomputeWithoutProgressForTheTimeout_IsStoppedAndStartedAgain_AndCommitsOnce()
    {
        await using var context = await PipelineContext.CreateAsync(
            azurite,
            epoch: TimeSpan.FromSeconds(10),
            settings: new Dictionary<string, string?> { ["Pipeline:StalledOperationTimeout"] = "00:10:00" }
        );
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var hanging = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var runs = new StrongBox<int>();

        // The first fold never returns until released, as if its message were lost; later folds run.
        var engine = await context.EngineAsync(
            GatedTasks.Holding<FoldChunkActivity, FoldChunkInput, ChunkFold>(
                FoldChunkActivity.ActivityName,
                () =>
                {
                    if (Interlocked.Increment(ref runs.Value) > 1)
                    {
                        return Task.CompletedTask;
                    }

                    hanging.TrySetResult();
                    return release.Task;
                }
            )
        );
        try
        {
            var body = Encoding.UTF8.GetBytes(PipelineContext.Event("1", "user.signup", "u", 0));
            await context
                .NewHandler()
                .IngestAsync(new IngestBatch(0, [new IncomingEvent(body, 0, PipelineContext.Start)]));
            context.Time.SetUtcNow(PipelineContext.Start.AddMinutes(1));
            var view = context.Registry.Require(new ViewVersion("new-users", 1));
            var outcome = await engine
                .Services.GetRequiredService<RunStarter>()
                .StartAsync(engine.Client, view, OperationKind.Recompute);
            Assert.True(outcome.Succeeded, string.Join("; ", outcome.Problems));
            var id = outcome.Result.OperationId;
            await hanging.Task.WaitAsync(TimeSpan.FromSeconds(60));
            var stuck = (await engine.Client.GetInstanceAsync(id))!;

            // The engine stamps progress with the real clock: the test's clock is moved to just before and past it.
            var stalled = engine.Services.GetRequiredService<StalledOperations>();
            context.Time.SetUtcNow(stuck.LastUpdatedAt + TimeSpan.FromMinutes(9));
            Assert.Equal(0, await stalled.RestartAsync(engine.Client));
            context.Time.SetUtcNow(stuck.LastUpdatedAt + TimeSpan.FromMinutes(11));
            Assert.Equal(1, await stalled.RestartAsync(engine.Client));

            await engine.WaitAsync(id);
            var status = (await PipelineOperations.GetAsync(engine.Client, id))!;
            Assert.True(status.State == OperationState.Completed, $"{status.State}: {status.Error}");
            Assert.Equal(2, Volatile.Read(ref runs.Value));
            var pointer = await context.Pointers.GetAsync(view.Id);
            Assert.Equal(1, pointer?.Events);
            Assert.Equal(id, pointer?.Operation);
        }
        finally
        {
            // The stopped run's fold is let go, so that the engine stops cleanly.
            release.TrySetResult();
        }
    }
}
