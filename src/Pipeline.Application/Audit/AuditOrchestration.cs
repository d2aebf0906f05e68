using Microsoft.DurableTask;
using Pipeline.Application.Operations;

namespace Pipeline.Application.Audit;

/// <summary>What an audit operation outputs; the full report is kept and listed by <c>GET
/// /api/audits/{name}</c>.</summary>
public sealed record AuditSummary(
    string Audit,
    string View,
    int Version,
    long? Cutoff,
    bool Clean,
    int KeysChecked,
    long EventsRead,
    int Mismatches,
    int Shortfalls,
    string? Problem
);

/// <summary>An audit's progress, as its operation status shows it.</summary>
/// <param name="Phase">reading the raw log, clean or findings.</param>
public sealed record AuditProgress(string Phase);

/// <summary>The audit as an operation (on the dev host's Durable Task engine or Durable Functions): one
/// activity.</summary>
[DurableTask(OrchestratorName)]
public sealed class AuditOrchestrator : TaskOrchestrator<AuditRequest, AuditSummary>
{
    /// <summary>The orchestrator's name.</summary>
    public const string OrchestratorName = "audit";

    /// <inheritdoc />
    public override async Task<AuditSummary> RunAsync(TaskOrchestrationContext context, AuditRequest input)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.SetCustomStatus(new AuditProgress("reading the raw log"));
        var summary = await context.CallActivityAsync<AuditSummary>(
            AuditActivity.ActivityName,
            input,
            PipelineTasks.ActivityRetries
        );
        context.SetCustomStatus(new AuditProgress(summary.Clean ? "clean" : "findings"));
        return summary;
    }
}

/// <summary>Runs <see cref="AuditService"/> for one request.</summary>
[DurableTask(ActivityName)]
public sealed class AuditActivity(AuditService audits, Versions.SpecRegistry specs)
    : TaskActivity<AuditRequest, AuditSummary>
{
    /// <summary>The activity's name.</summary>
    public const string ActivityName = "audit-view";

    /// <inheritdoc />
    public override async Task<AuditSummary> RunAsync(TaskActivityContext context, AuditRequest input)
    {
        ArgumentNullException.ThrowIfNull(input);
        _ = await specs
            .RequireAsync(new Domain.Views.ViewVersion(input.View, input.Version), CancellationToken.None)
            .ConfigureAwait(false); // registered through another process: known here before the audit looks it up
        var report = await audits.RunAsync(input, CancellationToken.None).ConfigureAwait(false);
        return new AuditSummary(
            report.Audit,
            report.View,
            report.Version,
            report.Cutoff,
            report.Clean,
            report.KeysChecked,
            report.EventsRead,
            report.Mismatches.Count,
            report.Shortfalls.Count,
            report.Problem
        );
    }
}
