using System.Text.Json;
using Pipeline.Application.Orchestration;

namespace Pipeline.Application.Audit;

/// <summary>What an audit operation outputs; the full report is kept and listed by <c>GET /api/audits/{name}</c>.</summary>
public sealed record AuditSummary(string Audit, string View, int Version, long? Cutoff, bool Clean, int KeysChecked, long EventsRead, int Mismatches, int Shortfalls, string? Problem);

/// <summary>The audit as an operation on the orchestration runtime (local runner or Durable Functions): one activity.</summary>
public sealed class AuditOrchestrator : IOrchestrator
{
    /// <summary>The orchestrator's name.</summary>
    public const string OrchestratorName = "audit";

    /// <inheritdoc />
    public string Name => OrchestratorName;

    /// <inheritdoc />
    public async Task<object?> RunAsync(OrchestrationContext context, JsonElement input)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.SetCustomStatus(new { phase = "reading the raw log" });
        var summary = await context.CallActivityAsync<AuditSummary>(AuditActivity.ActivityName, input);
        context.SetCustomStatus(new { phase = summary.Clean ? "clean" : "findings" });
        return summary;
    }
}

/// <summary>Runs <see cref="AuditService"/> for one request.</summary>
internal sealed class AuditActivity(AuditService audits) : IActivity
{
    public const string ActivityName = "audit-view";

    public string Name => ActivityName;

    public async Task<object?> RunAsync(JsonElement input, CancellationToken cancellationToken)
    {
        var report = await audits.RunAsync(input.Deserialize<AuditRequest>(ApiJson.Options)!, cancellationToken).ConfigureAwait(false);
        return new AuditSummary(report.Audit, report.View, report.Version, report.Cutoff, report.Clean, report.KeysChecked, report.EventsRead,
            report.Mismatches.Count, report.Shortfalls.Count, report.Problem);
    }
}
