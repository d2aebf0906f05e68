using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.Application.Audit;
using Pipeline.Application.Configuration;
using Pipeline.Application.Ingest;
using Pipeline.Application.Operations;
using Pipeline.Application.Versions;
using Pipeline.Domain.Views;

namespace Pipeline.Application.Batch;

/// <summary>
/// What the batch layer does on a schedule, whichever host's timer calls it: restart operations that stopped
/// moving; start a recompute of every view whose batch view is behind the sealed cutoff; once a commit's grace
/// period has passed, retire the speed rows it covers and delete the batch data it superseded; and start due
/// audits.
/// </summary>
public sealed partial class BatchSchedule(
    SealedBoundary sealedBoundary,
    RunStarter runs,
    OperationService operations,
    StalledOperations stalled,
    PointerStore pointers,
    SpeedRetirement retirement,
    SupersededBatchData superseded,
    ViewRegistry registry,
    Versions.SpecRegistry specs,
    RoutingService routing,
    AuditStore audits,
    IOptions<PipelineOptions> options,
    TimeProvider time,
    ILogger<BatchSchedule> logger
)
{
    /// <summary>How often retirement runs: a quarter of the grace period, between one second and one minute.</summary>
    public TimeSpan RetirementSweepInterval { get; } =
        Time.PipelineClock.CheckIntervalFor(options.Value.RetirementGrace);

    /// <summary>One tick of a host's timer: restarts stalled operations, starts due recomputes, then retires covered
    /// speed rows, then starts due audits.</summary>
    public async Task RunOnceAsync(DurableTaskClient orchestrations, CancellationToken cancellationToken = default)
    {
        await stalled.RestartAsync(orchestrations, cancellationToken).ConfigureAwait(false);
        await StartDueRecomputesAsync(orchestrations, cancellationToken).ConfigureAwait(false);
        await RetireCoveredSpeedRowsAsync(cancellationToken).ConfigureAwait(false);
        await StartDueAuditsAsync(orchestrations, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts a sampled audit (<c>Pipeline:AuditSample</c> keys) of every serving version with a batch view
    /// whose newest audit is older than <c>Pipeline:AuditInterval</c> and none running; returns how many started.
    /// </summary>
    public async Task<int> StartDueAuditsAsync(
        DurableTaskClient orchestrations,
        CancellationToken cancellationToken = default
    )
    {
        var interval = options.Value.AuditInterval;
        if (interval <= TimeSpan.Zero)
        {
            return 0;
        }

        var started = 0;
        foreach (var name in registry.Names)
        {
            var served = await routing.ServingRoutingAsync(name, cancellationToken).ConfigureAwait(false);
            foreach (var version in served.Weights.Where(w => w.Value > 0).Select(w => new ViewVersion(name, w.Key)))
            {
                var newest = await audits.ListAsync(name, version.Version, 1, cancellationToken).ConfigureAwait(false);
                if (
                    (newest.Count == 0 || time.GetUtcNow() - newest[0].FinishedAt >= interval)
                    && await pointers.GetAsync(version, cancellationToken).ConfigureAwait(false) is not null
                    && !await OperationService
                        .IsAuditRunningAsync(orchestrations, version, cancellationToken)
                        .ConfigureAwait(false)
                )
                {
                    var request = new AuditRequest(
                        name,
                        version.Version,
                        null,
                        null,
                        options.Value.AuditSample,
                        string.Empty
                    );
                    await operations.StartAuditAsync(orchestrations, request, cancellationToken).ConfigureAwait(false);
                    LogAuditStarted(version);
                    started++;
                }
            }
        }

        return started;
    }

    /// <summary>Starts a recompute at the sealed cutoff of every view behind it; returns how many started.</summary>
    public async Task<int> StartDueRecomputesAsync(
        DurableTaskClient orchestrations,
        CancellationToken cancellationToken = default
    )
    {
        var sealedCutoff = await sealedBoundary.CutoffAsync(cancellationToken).ConfigureAwait(false);
        var started = 0;

        // Versions registered through other processes are kept current here too.
        await specs.SyncIfOlderThanAsync(TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        foreach (var view in registry.All)
        {
            // Versions that serve, shadow, or have a batch view are kept current; a new version waits for its replay.
            var served = await routing.ServingRoutingAsync(view.Name, cancellationToken).ConfigureAwait(false);
            var pointer = await pointers.GetAsync(view.Id, cancellationToken).ConfigureAwait(false);
            var active =
                pointer is not null
                || served.Weights.GetValueOrDefault(view.Version) > 0
                || served.Shadow == view.Version;
            if (active && sealedCutoff > (pointer?.Cutoff ?? 0))
            {
                var outcome = await runs.StartAsync(
                        orchestrations,
                        view,
                        OperationKind.Recompute,
                        cancellationToken: cancellationToken
                    )
                    .ConfigureAwait(false);
                var isNew = outcome.Value?.Started == true;
                var what = outcome.Value?.OperationId ?? string.Join("; ", outcome.Problems);
                LogScheduled(view.Id, what, isNew);
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
            var retired = await retirement
                .RetireAsync(view, options.Value.RetirementGrace, now, cancellationToken)
                .ConfigureAwait(false);
            if (retired > 0)
            {
                LogRetired(retired, view.Id);
            }

            var deleted = await superseded
                .DeleteAsync(view, options.Value.RetirementGrace, now, cancellationToken)
                .ConfigureAwait(false);
            if (deleted.BatchRows + deleted.WorkBlobs > 0)
            {
                LogSuperseded(deleted.BatchRows, deleted.WorkBlobs, view.Id);
                await superseded.DeleteIdentityIndexesAsync(registry.All, cancellationToken).ConfigureAwait(false);
            }

            total += retired;
        }

        return total;
    }

    [LoggerMessage(
        Level = LogLevel.Information,
        Message = "Deleted {Rows} batch rows and {Blobs} work blobs that the batch view of {View} superseded"
    )]
    private partial void LogSuperseded(int rows, int blobs, ViewVersion view);

    [LoggerMessage(Level = LogLevel.Information, Message = "Started the scheduled audit of {View}")]
    private partial void LogAuditStarted(ViewVersion view);

    [LoggerMessage(
        Level = LogLevel.Information,
        Message = "Retired {Rows} speed rows of {View} covered by its batch view"
    )]
    private partial void LogRetired(int rows, ViewVersion view);

    [LoggerMessage(
        Level = LogLevel.Information,
        Message = "Scheduled recompute of {View}: {Operation} (started: {Started})"
    )]
    private partial void LogScheduled(ViewVersion view, string operation, bool started);
}
