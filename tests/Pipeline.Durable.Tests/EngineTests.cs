using System.Collections.Concurrent;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Application.Audit;
using Pipeline.Application.Operations;
using Pipeline.Testing;

namespace Pipeline.Durable.Tests;

/// <summary>The dev host's Durable Task engine on Azurite, with test orchestrations.</summary>
[Collection(UsesAzurite.Name)]
public class EngineTests(AzuriteFixture azurite)
{
    /// <summary>How often each step ran, per test (task hubs are per prefix; hosts share these across
    /// "processes").</summary>
    private static readonly ConcurrentDictionary<string, int> Runs = new();

    private sealed record Step(string Test, int Index);

    /// <summary>A scoped dependency: a new id per scope.</summary>
    private sealed class ScopeProbe
    {
        public Guid Id { get; } = Guid.NewGuid();
    }

    private sealed class ProbeActivity(ScopeProbe probe) : TaskActivity<int, string>
    {
        public override Task<string> RunAsync(TaskActivityContext context, int input) =>
            Task.FromResult(probe.Id.ToString());
    }

    private static void Fanning(DurableTaskRegistry tasks) =>
        tasks
            .AddOrchestratorFunc<int, int>(
                "fan-out",
                async (context, count) =>
                {
                    context.SetCustomStatus(new { phase = "folding", done = 0 });
                    var results = await Task.WhenAll(
                        Enumerable.Range(0, count).Select(i => context.CallActivityAsync<int>("square", i))
                    );
                    context.SetCustomStatus(new { phase = "done", done = results.Length });
                    return results.Sum();
                }
            )
            .AddActivityFunc<int, int>(
                "square",
                (_, i) =>
                {
                    Runs.AddOrUpdate($"square.{i}", 1, (_, n) => n + 1);
                    return i * i;
                }
            )
            .AddOrchestratorFunc<int, string[]>(
                "probe",
                async (context, count) =>
                    await Task.WhenAll(
                        Enumerable.Range(0, count).Select(i => context.CallActivityAsync<string>("probe-scope", i))
                    )
            )
            .AddActivity("probe-scope", sp => ActivatorUtilities.CreateInstance<ProbeActivity>(sp));

    [Fact]
    public async Task FanOut_RunsEveryActivity_AndCompletesWithTheOutputAndCustomStatus()
    {
        await using var host = await EngineHost.StartAsync(azurite.ConnectionString, EngineHost.NewPrefix(), Fanning);

        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync("fan-out", 16);
        var done = await host.WaitAsync(id);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal(Enumerable.Range(0, 16).Sum(i => i * i), done.ReadOutputAs<int>());
        Assert.Equal("""{"phase":"done","done":16}""", done.SerializedCustomStatus);
        Assert.All(Enumerable.Range(0, 16), i => Assert.True(Runs.ContainsKey($"square.{i}")));
    }

    [Fact]
    public async Task EachActivityRun_HasADependencyInjectionScopeOfItsOwn()
    {
        await using var host = await EngineHost.StartAsync(
            azurite.ConnectionString,
            EngineHost.NewPrefix(),
            Fanning,
            services => services.AddScoped<ScopeProbe>()
        );

        var done = await host.WaitAsync(await host.Client.ScheduleNewOrchestrationInstanceAsync("probe", 3));

        Assert.Equal(3, done.ReadOutputAs<string[]>()!.Distinct().Count());
    }

    [Fact]
    public async Task ActivityThrowingAnyException_FailsTheOperationWithItsMessage_AndTheIdMayStartAgain()
    {
        var attempts = 0;
        await using var host = await EngineHost.StartAsync(
            azurite.ConnectionString,
            EngineHost.NewPrefix(),
            tasks =>
                tasks
                    // Stands in for the audit orchestration: operations start only the pipeline's orchestrators.
                    .AddOrchestratorFunc<AuditRequest, string>(
                        AuditOrchestrator.OrchestratorName,
                        async (context, _) =>
                            await context.CallActivityAsync<string>("fragile", 0, PipelineTasks.ActivityRetries)
                    )
                    .AddActivityFunc<int, string>(
                        "fragile",
                        (_, _) =>
                            Interlocked.Increment(ref attempts) == 1
                                ? throw new NotSupportedException("the log is in a format this version cannot read")
                                : "fine"
                    )
        );
        var request = new AuditRequest("v", 1, null, null, null, "a");

        var (first, started) = await PipelineOperations.StartAsync(
            host.Client,
            AuditOrchestrator.OrchestratorName,
            "op-1",
            request
        );
        await host.WaitAsync("op-1");
        var failed = await PipelineOperations.GetAsync(host.Client, "op-1");
        var attemptsWhenFailed = attempts;
        var (again, startedAgain) = await PipelineOperations.StartAsync(
            host.Client,
            AuditOrchestrator.OrchestratorName,
            "op-1",
            request
        );
        await host.WaitAsync("op-1");

        Assert.True(started);
        Assert.Equal(OperationState.Running, first.State);
        Assert.Equal(OperationState.Failed, failed!.State);
        Assert.Equal("the log is in a format this version cannot read", failed.Error);
        Assert.Equal(1, attemptsWhenFailed); // not a storage or network error: not retried
        Assert.True(startedAgain);
        Assert.Equal(OperationState.Completed, (await PipelineOperations.GetAsync(host.Client, "op-1"))!.State);
    }

    [Fact]
    public async Task StartingAnIdThatRuns_ReturnsTheRunningOperation_AndSchedulingItAgainIsRefused()
    {
        var gate = new TaskCompletionSource();
        await using var host = await EngineHost.StartAsync(
            azurite.ConnectionString,
            EngineHost.NewPrefix(),
            tasks =>
                tasks
                    .AddOrchestratorFunc<AuditRequest, int>(
                        AuditOrchestrator.OrchestratorName,
                        async (context, _) => await context.CallActivityAsync<int>("wait", 0)
                    )
                    .AddActivityFunc<int, int>(
                        "wait",
                        async (_, _) =>
                        {
                            await gate.Task;
                            return 1;
                        }
                    )
        );
        var request = new AuditRequest("v", 1, null, null, null, "a");

        var starts = await Task.WhenAll(
            PipelineOperations.StartAsync(host.Client, AuditOrchestrator.OrchestratorName, "once", request),
            PipelineOperations.StartAsync(host.Client, AuditOrchestrator.OrchestratorName, "once", request)
        );
        await host.Client.WaitForInstanceStartAsync("once");
        var direct = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            host.Client.ScheduleNewOrchestrationInstanceAsync(
                AuditOrchestrator.OrchestratorName,
                request,
                new StartOrchestrationOptions("once")
            )
        );
        gate.SetResult();
        var done = await host.WaitAsync("once");

        Assert.Single(starts, s => s.Started);
        Assert.Contains("already running", direct.Message, StringComparison.Ordinal);
        Assert.Equal(1, done.ReadOutputAs<int>());
    }

    [Fact]
    public async Task UnknownOrchestrator_IsRefusedBeforeAnythingIsScheduled()
    {
        await using var host = await EngineHost.StartAsync(azurite.ConnectionString, EngineHost.NewPrefix(), Fanning);

        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            PipelineOperations.StartAsync(host.Client, "recompte", "typo", 1)
        );

        Assert.Contains("unknown orchestrator 'recompte'", error.Message, StringComparison.Ordinal);
        Assert.Null(await host.Client.GetInstanceAsync("typo"));
    }

    [Fact]
    public async Task Cancel_StopsARunningOperation_WhichReportsCanceledWithItsReason()
    {
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await EngineHost.StartAsync(
            azurite.ConnectionString,
            EngineHost.NewPrefix(),
            tasks =>
                tasks
                    .AddOrchestratorFunc<AuditRequest, int>(
                        AuditOrchestrator.OrchestratorName,
                        async (context, _) => await context.CallActivityAsync<int>("slow", 0)
                    )
                    .AddActivityFunc<int, int>(
                        "slow",
                        async (_, _) =>
                        {
                            await held.Task; // in flight until the test has canceled its operation
                            return 1;
                        }
                    )
        );
        await PipelineOperations.StartAsync(
            host.Client,
            AuditOrchestrator.OrchestratorName,
            "stoppable",
            new AuditRequest("v", 1, null, null, null, "a")
        );
        await host.Client.WaitForInstanceStartAsync("stoppable");

        var canceled = await PipelineOperations.CancelAsync(host.Client, "stoppable");
        held.SetResult();

        Assert.Equal(OperationState.Canceled, canceled!.State);
        Assert.Equal(PipelineOperations.CanceledReason, canceled.Error);
        Assert.Null(canceled.Output);
    }
}
