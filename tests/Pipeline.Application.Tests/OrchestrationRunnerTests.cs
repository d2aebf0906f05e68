using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Application.Orchestration;
using Pipeline.Testing;

namespace Pipeline.Application.Tests;

[Collection(UsesAzurite.Name)]
public class OrchestrationRunnerTests(AzuriteFixture azurite)
{
    /// <summary>Squares numbers; counts how often each input ran; may hold one input until released or cancelled.</summary>
    private sealed class Square : IActivity
    {
        public ConcurrentDictionary<int, int> Runs { get; } = new();

        public int? HoldAt { get; set; }

        public string Name => "square";

        public async Task<object?> RunAsync(JsonElement input, CancellationToken cancellationToken)
        {
            var n = input.GetInt32();
            Runs.AddOrUpdate(n, 1, (_, runs) => runs + 1);
            if (n == HoldAt)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            if (n < 0)
            {
                throw new InvalidDataException($"cannot square {n}: segment unreadable");
            }

            return n * n;
        }
    }

    /// <summary>Sums squares of 0..count-1, in parallel or one after another.</summary>
    private sealed class SumOfSquares : IOrchestrator
    {
        public string Name => "sum-of-squares";

        public async Task<object?> RunAsync(OrchestrationContext context, JsonElement input)
        {
            var count = input.GetProperty("count").GetInt32();
            var first = input.TryGetProperty("first", out var f) ? f.GetInt32() : 0;
            if (input.GetProperty("parallel").GetBoolean())
            {
                var squares = await Task.WhenAll(Enumerable.Range(first, count).Select(i => context.CallActivityAsync<int>("square", i)));
                return squares.Sum();
            }

            var total = 0;
            for (var i = first; i < first + count; i++)
            {
                total += await context.CallActivityAsync<int>("square", i);
                context.SetCustomStatus(new { done = i - first + 1, of = count });
            }

            return total;
        }
    }

    private static LocalOrchestrationRunner Runner(PipelineContext context, Square square) =>
        new(context.Store, [new SumOfSquares()], [square], NullLogger<LocalOrchestrationRunner>.Instance);

    [Fact]
    public async Task FanOut_RunsEveryActivityOnce_AndCompletesWithTheOutput()
    {
        var context = await PipelineContext.CreateAsync(azurite);
        var square = new Square();
        using var runner = Runner(context, square);

        var (_, started) = await runner.StartAsync("sum-of-squares", "fan-out", new { count = 20, parallel = true }, CancellationToken.None);
        await runner.WaitAsync("fan-out");

        var status = await runner.GetStatusAsync("fan-out");
        Assert.True(started);
        Assert.Equal(OperationState.Completed, status!.State);
        Assert.Equal(2470, status.Output!.Value.GetInt32());
        Assert.Equal(20, status.CompletedSteps);
        Assert.All(square.Runs.Values, runs => Assert.Equal(1, runs));
    }

    [Fact]
    public async Task StoppedMidway_ResumesInANewRunner_WithoutRedoingFinishedSteps()
    {
        var context = await PipelineContext.CreateAsync(azurite);
        var square = new Square { HoldAt = 10 };
        using var stopping = new CancellationTokenSource();
        using (var first = Runner(context, square))
        {
            await first.StartAsync("sum-of-squares", "resume", new { count = 15, parallel = false }, stopping.Token);
            while ((await first.GetStatusAsync("resume"))!.CompletedSteps < 10)
            {
                await Task.Delay(50);
            }

            await stopping.CancelAsync();
            await first.WaitAsync("resume");
        }

        Assert.Equal(OperationState.Running, (await context.NewRunnerStatusAsync("resume"))!.State);
        square.HoldAt = null;
        using var second = Runner(context, square);
        Assert.Equal(1, await second.ResumeAllAsync(CancellationToken.None));
        await second.WaitAsync("resume");

        var status = await second.GetStatusAsync("resume");
        Assert.Equal(OperationState.Completed, status!.State);
        Assert.Equal(Enumerable.Range(0, 15).Sum(i => i * i), status.Output!.Value.GetInt32());
        Assert.Equal(15, status.CompletedSteps);
        Assert.Equal(15, status.CustomStatus!.Value.GetProperty("done").GetInt32());
        Assert.All(Enumerable.Range(0, 10), i => Assert.Equal(1, square.Runs[i]));
        Assert.Equal(2, square.Runs[10]);
    }

    [Fact]
    public async Task StartingARunningInstanceAgain_ReturnsTheRunningOne()
    {
        var context = await PipelineContext.CreateAsync(azurite);
        var square = new Square { HoldAt = 3 };
        using var stopping = new CancellationTokenSource();
        using var runner = Runner(context, square);

        var first = await runner.StartAsync("sum-of-squares", "single", new { count = 5, parallel = false }, stopping.Token);
        var second = await runner.StartAsync("sum-of-squares", "single", new { count = 99, parallel = false }, stopping.Token);
        await Task.Delay(300);
        await stopping.CancelAsync();
        await runner.WaitAsync("single");

        Assert.True(first.Started);
        Assert.False(second.Started);
        Assert.Equal(OperationState.Running, second.Status.State);
        Assert.Equal(1, square.Runs[0]);
        Assert.DoesNotContain(5, square.Runs.Keys);
    }

    [Fact]
    public async Task FailingActivity_FailsTheOperation_WithItsMessage()
    {
        var context = await PipelineContext.CreateAsync(azurite);
        using var runner = Runner(context, new Square());

        await runner.StartAsync("sum-of-squares", "failing", new { count = 3, first = -1, parallel = false }, CancellationToken.None);
        await runner.WaitAsync("failing");

        var status = await runner.GetStatusAsync("failing");
        Assert.Equal(OperationState.Failed, status!.State);
        Assert.Contains("segment unreadable", status.Error, StringComparison.Ordinal);
    }
}

internal static class RunnerContextExtensions
{
    /// <summary>The stored status as any runner would read it.</summary>
    public static Task<OperationStatus?> NewRunnerStatusAsync(this PipelineContext context, string instanceId) =>
        new LocalOrchestrationRunner(context.Store, [], [], NullLogger<LocalOrchestrationRunner>.Instance).GetStatusAsync(instanceId);
}
