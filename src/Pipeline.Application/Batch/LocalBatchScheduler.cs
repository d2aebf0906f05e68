using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.Application.Configuration;
using Pipeline.Application.Orchestration;

namespace Pipeline.Application.Batch;

/// <summary>
/// The dev host's stand-in for the TimerTrigger and the Durable Task hub: resumes orchestrations a
/// previous process left unfinished, then runs <see cref="BatchSchedule"/>: recomputes on
/// <c>Pipeline:RecomputeInterval</c> (zero: only on demand), audits due by <c>Pipeline:AuditInterval</c>, and
/// retirement sweeps (always, since on-demand recomputes also make speed rows redundant).
/// </summary>
internal sealed partial class LocalBatchScheduler(
    LocalOrchestrationRunner runner,
    BatchSchedule schedule,
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

        var recomputes = options.Value.RecomputeInterval > TimeSpan.Zero
            ? EveryAsync(options.Value.RecomputeInterval, ct => schedule.StartDueRecomputesAsync(runner, ct), stoppingToken)
            : Task.CompletedTask;
        var audits = options.Value.AuditInterval > TimeSpan.Zero
            ? EveryAsync(TimeSpan.FromTicks(Math.Min(options.Value.AuditInterval.Ticks, TimeSpan.FromMinutes(1).Ticks)), ct => schedule.StartDueAuditsAsync(runner, ct), stoppingToken)
            : Task.CompletedTask;
        await Task.WhenAll(recomputes, audits, EveryAsync(schedule.RetirementSweepInterval, schedule.RetireCoveredSpeedRowsAsync, stoppingToken)).ConfigureAwait(false);
    }

    private async Task EveryAsync(TimeSpan interval, Func<CancellationToken, Task<int>> work, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await work(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A storage hiccup skips one tick; the next tick tries again.
                LogTickFailed(ex);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Resumed {Count} unfinished orchestrations")]
    private partial void LogResumed(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A scheduled batch task failed; retrying on the next tick")]
    private partial void LogTickFailed(Exception exception);
}
