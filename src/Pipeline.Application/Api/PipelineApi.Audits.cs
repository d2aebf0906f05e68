using System.Globalization;
using Microsoft.DurableTask.Client;
using Pipeline.Application.Audit;
using Pipeline.Application.Orchestration;

namespace Pipeline.Application.Api;

/// <summary>The handlers of audits.</summary>
public sealed partial class PipelineApi
{
    /// <summary>
    /// <c>POST /api/audit/{name}?version=N&amp;from=A&amp;to=B&amp;sample=K</c>: starts an audit of a version
    /// (default: the serving one) against the raw log; 202 with the operation.
    /// </summary>
    public async Task<ApiResponse> StartAuditAsync(DurableTaskClient orchestrations, string name, string? version, string? from, string? to, string? sample, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(orchestrations);
        if (!TryParseVersion(version, out var pinned, out var badVersion))
        {
            return badVersion!;
        }

        var (view, missing) = await ResolveAsync(name, pinned, null, cancellationToken).ConfigureAwait(false);
        if (view is null)
        {
            return missing!;
        }

        var bounds = new Dictionary<string, Domain.Views.ViewKey>();
        foreach (var (label, key) in new[] { ("from", from), ("to", to) })
        {
            if (key is not null)
            {
                if (!view.TryParseKey(key, out var parsed, out var error))
                {
                    return ApiResponse.Error(400, $"{label}: {error}");
                }

                bounds[label] = parsed;
            }
        }

        if (bounds.TryGetValue("from", out var first) && bounds.TryGetValue("to", out var last) && last.WindowStart < first.WindowStart)
        {
            return ApiResponse.Error(400, "the range must go forward in time: from is after to");
        }

        int? keys = null;
        if (!string.IsNullOrEmpty(sample))
        {
            if (!int.TryParse(sample, NumberStyles.None, CultureInfo.InvariantCulture, out var k) || k < 1)
            {
                return ApiResponse.Error(400, "sample must be a positive number of keys");
            }

            keys = k;
        }

        var (operation, _) = await StartAuditAsync(orchestrations, new AuditRequest(view.Name, view.Version, from, to, keys, string.Empty), cancellationToken).ConfigureAwait(false);
        return new ApiResponse(202, new { operationId = operation.InstanceId, state = operation.State, statusUri = $"/api/operations/{operation.InstanceId}", reportsUri = $"/api/audits/{view.Name}" });
    }

    /// <summary><c>GET /api/audits/{name}?version=N&amp;max=M</c>: the newest audit reports of a view.</summary>
    public async Task<ApiResponse> ListAuditsAsync(string name, string? version, string? max, CancellationToken cancellationToken = default)
    {
        if (queries.Registry.Versions(name).Count == 0)
        {
            return ApiResponse.Error(404, $"there is no view '{name}'; views: {string.Join(", ", queries.Registry.Names)}");
        }

        if (!TryParseVersion(version, out var pinned, out var badVersion))
        {
            return badVersion!;
        }

        var count = 20;
        if (!string.IsNullOrEmpty(max) && (!int.TryParse(max, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out count) || count is < 1 or > 100))
        {
            return ApiResponse.Error(400, $"max must be a whole number from 1 to 100, not '{max}'");
        }
        return ApiResponse.Ok(await audits.ListAsync(name, pinned, count, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Starts an audit operation; its id says the view, version and moment it was asked for.</summary>
    public Task<(OperationStatus Status, bool Started)> StartAuditAsync(DurableTaskClient orchestrations, AuditRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(orchestrations);
        ArgumentNullException.ThrowIfNull(request);
        var id = string.Create(CultureInfo.InvariantCulture, $"audit.{request.View}.{request.Version}.{clock.UtcNow:yyyyMMddHHmmssfff}");
        return PipelineOperations.StartAsync(orchestrations, AuditOrchestrator.OrchestratorName, id, request with { Audit = id }, cancellationToken);
    }
}
