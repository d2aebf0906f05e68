using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.Application.Configuration;
using Pipeline.Domain.Views;

namespace Pipeline.Application.Batch;

/// <summary>
/// What the batch layer does on a schedule, whichever host's timer calls it: start a recompute of every
/// view whose batch view is behind the sealed cutoff; once a commit's grace period has passed, retire the
/// speed rows it covers and delete the batch data it superseded; and start due audits.
/// </summary>
public sealed partial class BatchSchedule(
    RecomputeService recomputes,
    PointerStore pointers,
    SpeedRetirement retirement,
    SupersededBatchData superseded,
    ViewRegistry registry,
    Versions.VersionService versions,
    Audit.AuditStore audits,
    Api.PipelineApi api,
    IOptions<PipelineOptions> options,
    TimeProvider time,
    ILogger<BatchSchedule> logger)
{
    /// <summary>How often retirement runs: a quarter of the grace period, between one second and one minute.</summary>
    public TimeSpan RetirementSweepInterval { get; } = TimeSpan.FromTicks(Math.Clamp(
        options.Value.RetirementGrace.Ticks / 4, TimeSpan.FromSeconds(1).Ticks, TimeSpan.FromMinutes(1).Ticks));

    /// <summary>One tick of a host's timer: starts due recomputes, then retires covered speed rows.</summary>
    public async Task RunOnceAsync(DurableTaskClient orchestrations, CancellationToken cancellationToken = default)
    {
        await StartDueRecomputesAsync(orchestrations, cancellationToken).ConfigureAwait(false);
        await RetireCoveredSpeedRowsAsync(cancellationToken).ConfigureAwait(false);
        await StartDueAuditsAsync(orchestrations, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts a sampled audit (<c>Pipeline:AuditSample</c> keys) of every serving version with a batch view
    /// whose newest audit is older than <c>Pipeline:AuditInterval</c>; returns how many started.
    /// </summary>
    public async Task<int> StartDueAuditsAsync(DurableTaskClient orchestrations, CancellationToken cancellationToken = default)
    {
        var interval = options.Value.AuditInterval;
        if (interval <= TimeSpan.Zero)
        {
            return 0;
        }

        var started = 0;
        foreach (var name in registry.Names)
        {
            var routing = await versions.ServingRoutingAsync(name, cancellationToken).ConfigureAwait(false);
            foreach (var version in routing.Weights.Where(w => w.Value > 0).Select(w => w.Key))
            {
                var newest = await audits.ListAsync(name, version, 1, cancellationToken).ConfigureAwait(false);
                if ((newest.Count == 0 || time.GetUtcNow() - newest[0].FinishedAt >= interval)
                    && await pointers.GetAsync(name, version, cancellationToken).ConfigureAwait(false) is not null)
                {
                    await api.StartAuditAsync(orchestrations, new Audit.AuditRequest(name, version, null, null, options.Value.AuditSample, string.Empty), cancellationToken).ConfigureAwait(false);
                    LogAuditStarted(name, version);
                    started++;
                }
            }
        }

        return started;
    }

    /// <summary>Starts a recompute at the sealed cutoff of every view behind it; returns how many started.</summary>
    public async Task<int> StartDueRecomputesAsync(DurableTaskClient orchestrations, CancellationToken cancellationToken = default)
    {
        var sealedCutoff = await recomputes.SealedCutoffAsync(cancellationToken).ConfigureAwait(false);
        var started = 0;
        foreach (var view in registry.All)
        {
            // Versions that serve, shadow, or have a batch view are kept current; a new version waits for its replay.
            var routing = await versions.ServingRoutingAsync(view.Name, cancellationToken).ConfigureAwait(false);
            var pointer = await pointers.GetAsync(view.Name, view.Version, cancellationToken).ConfigureAwait(false);
            var active = pointer is not null || routing.Weights.GetValueOrDefault(view.Version) > 0 || routing.Shadow == view.Version;
            if (active && sealedCutoff > (pointer?.Cutoff ?? 0))
            {
                var (operation, isNew, refusal) = await recomputes.StartAsync(orchestrations, view, null, cancellationToken: cancellationToken).ConfigureAwait(false);
                LogScheduled(view.Name, operation?.InstanceId ?? refusal?.Message ?? string.Empty, isNew);
                started += isNew ? 1 : 0;
            }
        }

        return started;
    }

    /// <summary>
    /// Past each commit's grace period: deletes the speed rows it covers and the batch rows and blobs it
    /// superseded; returns how many speed rows were deleted.
    /// </summary>
    public async Task<int> RetireCoveredSpeedRowsAsync(CancellationToken cancellationToken = default)
    {
        var total = 0;
        var now = time.GetUtcNow();
        foreach (var view in registry.All)
        {
            var retired = await retirement.RetireAsync(view, options.Value.RetirementGrace, now, cancellationToken).ConfigureAwait(false);
            if (retired > 0)
            {
                LogRetired(retired, view.Name);
            }

            var deleted = await superseded.DeleteAsync(view, options.Value.RetirementGrace, now, cancellationToken).ConfigureAwait(false);
            if (deleted.BatchRows + deleted.WorkBlobs > 0)
            {
                LogSuperseded(deleted.BatchRows, deleted.WorkBlobs, view.Name, view.Version);
                await superseded.DeleteIdentityIndexesAsync(registry.All, cancellationToken).ConfigureAwait(false);
            }

            total += retired;
        }

        return total;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Rows} batch rows and {Blobs} work blobs that the batch view of {View} version {Version} superseded")]
    private partial void LogSuperseded(int rows, int blobs, string view, int version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Started the scheduled audit of {View} version {Version}")]
    private partial void LogAuditStarted(string view, int version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retired {Rows} speed rows of {View} covered by its batch view")]
    private partial void LogRetired(int rows, string view);

    [LoggerMessage(Level = LogLevel.Information, Message = "Scheduled recompute of {View}: {Operation} (started: {Started})")]
    private partial void LogScheduled(string view, string operation, bool started);
}
