using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.Application.Configuration;
using Pipeline.Application.Orchestration;
using Pipeline.Domain.Views;

namespace Pipeline.Application.Batch;

/// <summary>
/// The dev host's stand-in for the TimerTrigger and the Durable Task hub: resumes orchestrations a
/// previous process left unfinished, then starts a recompute of every view at the sealed cutoff on the
/// configured interval (skipping views whose batch view is already at that cutoff), and retires speed data
/// that committed batch views cover once their grace period has passed.
/// </summary>
internal sealed partial class LocalBatchScheduler(
    LocalOrchestrationRunner runner,
    RecomputeService recomputes,
    PointerStore pointers,
    SpeedRetirement retirement,
    ViewRegistry registry,
    IOptions<PipelineOptions> options,
    ILogger<LocalBatchScheduler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var resumed = await runner.ResumeAllAsync(stoppingToken).ConfigureAwait(false);
        if (resumed > 0)
        {
            LogResumed(resumed);
        }

        var interval = options.Value.RecomputeInterval;
        if (interval <= TimeSpan.Zero)
        {
            return;
        }

        using var timer = new PeriodicTimer(interval);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            var sealedCutoff = await recomputes.SealedCutoffAsync(stoppingToken).ConfigureAwait(false);
            foreach (var name in registry.Names)
            {
                registry.TryGet(name, null, out var view);
                var pointer = await pointers.GetAsync(view!.Name, view.Version, stoppingToken).ConfigureAwait(false);
                if (sealedCutoff > (pointer?.Cutoff ?? 0))
                {
                    var (operation, started, refusal) = await recomputes.StartAsync(view, null, cancellationToken: stoppingToken).ConfigureAwait(false);
                    LogScheduled(view.Name, operation?.InstanceId ?? refusal?.Message ?? string.Empty, started);
                }

                var retired = await retirement.RetireAsync(view, options.Value.RetirementGrace, DateTimeOffset.UtcNow, stoppingToken).ConfigureAwait(false);
                if (retired > 0)
                {
                    LogRetired(retired, view.Name);
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Resumed {Count} unfinished orchestrations")]
    private partial void LogResumed(int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retired {Rows} speed rows of {View} covered by its batch view")]
    private partial void LogRetired(int rows, string view);

    [LoggerMessage(Level = LogLevel.Information, Message = "Scheduled recompute of {View}: {Operation} (started: {Started})")]
    private partial void LogScheduled(string view, string operation, bool started);
}
