using System.Globalization;
using Microsoft.DurableTask.Client;
using Pipeline.Application.Orchestration;

namespace Pipeline.Application.Api;

/// <summary>A page of operations, newest first.</summary>
/// <param name="Items">The operations.</param>
/// <param name="Continuation">Pass as <c>continuation</c> for the next page; null on the last.</param>
public sealed record OperationPage(IReadOnlyList<OperationReport> Items, string? Continuation);

public sealed partial class PipelineApi
{
    /// <summary>The kinds of operation, as their ids begin.</summary>
    public static readonly IReadOnlyList<string> OperationKinds = ["recompute", "replay", "audit"];

    /// <summary>How far back a listing looks (older operations are still found by id).</summary>
    public static readonly TimeSpan ListedPeriod = TimeSpan.FromDays(7);

    /// <summary>How many of the newest matching operations a listing orders and pages through.</summary>
    public const int MaxListedOperations = 1000;

    /// <summary>
    /// <c>GET /api/operations?view=V&amp;kind=K&amp;state=S&amp;pageSize=N&amp;continuation=C</c>: recent
    /// recomputes, replays and audits, newest first, with their progress.
    /// </summary>
    public async Task<ApiResponse> ListOperationsAsync(DurableTaskClient orchestrations, string? view, string? kind, string? state, string? pageSize, string? continuation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(orchestrations);
        if (kind is not null && !OperationKinds.Contains(kind))
        {
            return ApiResponse.Error(400, $"kind must be one of {string.Join(", ", OperationKinds)}");
        }

        OperationState? wanted = null;
        if (state is not null)
        {
            if (!Enum.TryParse<OperationState>(state, ignoreCase: true, out var parsed) || int.TryParse(state, out _))
            {
                return ApiResponse.Error(400, "state must be one of running, completed, failed, canceled");
            }

            wanted = parsed;
        }

        var size = 20;
        if (pageSize is not null && (!int.TryParse(pageSize, NumberStyles.None, CultureInfo.InvariantCulture, out size) || size is < 1 or > 100))
        {
            return ApiResponse.Error(400, "pageSize must be a whole number from 1 to 100");
        }

        var skip = 0;
        if (continuation is not null && (!int.TryParse(continuation, NumberStyles.None, CultureInfo.InvariantCulture, out skip) || skip > MaxListedOperations))
        {
            return ApiResponse.Error(400, "continuation must be one that a previous page returned");
        }

        var now = clock.UtcNow;
        var query = new OrchestrationQuery
        {
            CreatedFrom = now - ListedPeriod,
            InstanceIdPrefix = kind is null ? null : view is null ? $"{kind}." : $"{kind}.{view}.",
            Statuses = wanted switch
            {
                OperationState.Running => [OrchestrationRuntimeStatus.Running, OrchestrationRuntimeStatus.Pending, OrchestrationRuntimeStatus.Suspended],
                OperationState.Completed => [OrchestrationRuntimeStatus.Completed],
                OperationState.Failed => [OrchestrationRuntimeStatus.Failed],
                OperationState.Canceled => [OrchestrationRuntimeStatus.Terminated],
                _ => null,
            },
            FetchInputsAndOutputs = true,
            PageSize = 100,
        };
        var matching = new List<OperationStatus>();
        await foreach (var instance in orchestrations.GetAllInstancesAsync(query).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            var parts = instance.InstanceId.Split('.');
            if (parts.Length >= 2 && OperationKinds.Contains(parts[0]) && (view is null || parts[1] == view))
            {
                matching.Add(OperationStatus.From(instance));
            }
        }

        var ordered = matching.OrderByDescending(o => o.CreatedAt).ThenBy(o => o.InstanceId, StringComparer.Ordinal).Take(MaxListedOperations).ToList();
        var page = ordered.Skip(skip).Take(size).Select(o => OperationReport.From(o, now)).ToList();
        var next = skip + size < ordered.Count ? (skip + size).ToString(CultureInfo.InvariantCulture) : null;
        return ApiResponse.Ok(new OperationPage(page, next));
    }
}
