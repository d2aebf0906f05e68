using DurableTask.Core;
using Microsoft.DurableTask.Worker;
using Microsoft.DurableTask.Worker.Hosting;
using Microsoft.DurableTask.Worker.Shims;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Pipeline.Durable;

/// <summary>
/// The build target of <c>AddDurableTaskWorker</c> on the dev host: runs the registered tasks on
/// DurableTask.Core's <see cref="TaskHubWorker"/> over <see cref="DurableEngine"/>. On a stop it lets running
/// work items finish within the host's shutdown timeout; what is cut short runs again on the next start
/// (after <see cref="DurableEngineOptions.VisibilityTimeout"/>), as after a crash: activities are idempotent.
/// </summary>
internal sealed partial class EngineWorker(
    string? name,
    IDurableTaskFactory factory,
    IOptionsMonitor<DurableTaskWorkerOptions> workerOptions,
    DurableEngine engine,
    IServiceProvider services,
    ILoggerFactory loggerFactory
) : DurableTaskWorker(name, factory)
{
    private readonly ILogger _logger = loggerFactory.CreateLogger<EngineWorker>();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var shims = new DurableTaskShimFactory(workerOptions.Get(Name), loggerFactory);
        using var worker = new TaskHubWorker(
            new RecoveringOrchestrationService(engine.Service),
            new OrchestratorShims(Factory, shims, services),
            new ActivityShims(Factory, shims, services.GetRequiredService<IServiceScopeFactory>()),
            loggerFactory
        )
        {
            ErrorPropagationMode = ErrorPropagationMode.UseFailureDetails,
        };
        await worker.StartAsync().ConfigureAwait(false);
        LogStarted(engine.TaskHub);
        try
        {
            await Task.Delay(Timeout.Infinite, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }

        await worker.StopAsync(isForced: false).ConfigureAwait(false);
    }

    [LoggerMessage(
        Level = LogLevel.Information,
        Message = "Durable Task engine running task hub {TaskHub} (Azure Storage backend)"
    )]
    private partial void LogStarted(string taskHub);
}
