using Cronos;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;
using Pipeline.Application.Batch;
using Pipeline.Application.Configuration;
using Pipeline.Application.Operations;

namespace Pipeline.DevHost;

/// <summary>
/// The dev host's stand-in for the Functions app's timer trigger: starts recomputes of the views behind
/// the sealed cutoff on <c>RecomputeSchedule</c> (the same NCRONTAB setting the timer trigger reads; empty:
/// only on demand), starts audits due by <c>Pipeline:AuditInterval</c>, restarts operations without progress for
/// <c>Pipeline:StalledOperationTimeout</c>, and runs retirement sweeps (always, since on-demand recomputes also
/// make speed rows redundant).
/// </summary>
internal sealed partial class BatchTimer(
    RecomputeSchedule recomputeSchedule,
    BatchSchedule schedule,
    StalledOperations stalled,
    DurableTaskClient client,
    IOptions<PipelineOptions> options,
    TimeProvider time,
    ILogger<BatchTimer> logger
) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var recomputes = recomputeSchedule.Expression is { } cron
            ? OnScheduleAsync(cron, ct => schedule.StartDueRecomputesAsync(client, ct), stoppingToken)
            : Task.CompletedTask;
        var audits =
            options.Value.AuditInterval > TimeSpan.Zero
                ? EveryAsync(
                    TimeSpan.FromTicks(Math.Min(options.Value.AuditInterval.Ticks, TimeSpan.FromMinutes(1).Ticks)),
                    ct => schedule.StartDueAuditsAsync(client, ct),
                    stoppingToken
                )
                : Task.CompletedTask;
        var restarts = stalled.CheckInterval is { } interval
            ? EveryAsync(interval, ct => stalled.RestartAsync(client, ct), stoppingToken)
            : Task.CompletedTask;
        await Task.WhenAll(
                recomputes,
                audits,
                restarts,
                EveryAsync(schedule.RetirementSweepInterval, schedule.RetireCoveredSpeedRowsAsync, stoppingToken)
            )
            .ConfigureAwait(false);
    }

    private async Task OnScheduleAsync(
        CronExpression cron,
        Func<CancellationToken, Task<int>> work,
        CancellationToken stoppingToken
    )
    {
        while (
            !stoppingToken.IsCancellationRequested
            && cron.GetNextOccurrence(time.GetUtcNow(), TimeZoneInfo.Utc) is { } next
        )
        {
            await Task.Delay(next - time.GetUtcNow(), time, stoppingToken).ConfigureAwait(false);
            await RunAsync(work, stoppingToken).ConfigureAwait(false);
        }
    }

    private async Task EveryAsync(
        TimeSpan interval,
        Func<CancellationToken, Task<int>> work,
        CancellationToken stoppingToken
    )
    {
        using var timer = new PeriodicTimer(interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            await RunAsync(work, stoppingToken).ConfigureAwait(false);
        }
    }

    private async Task RunAsync(Func<CancellationToken, Task<int>> work, CancellationToken stoppingToken)
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "A scheduled batch task failed; retrying on the next tick")]
    private partial void LogTickFailed(Exception exception);
}
