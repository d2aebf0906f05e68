using System.Text.Json;

namespace Pipeline.Application.Operations;

/// <summary>
/// What <c>GET /api/operations/{id}</c> shows: the status, its published progress, and derived from them
/// the events read per second so far and, while folding, the estimated time left (from the raw records
/// read against those planned).
/// </summary>
public sealed record OperationReport(
    string InstanceId,
    string Orchestrator,
    OperationState State,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    JsonElement? CustomStatus,
    JsonElement? Output,
    string? Error,
    double? EventsPerSecond,
    double? EstimatedSecondsLeft
)
{
    /// <summary>The report of a status, as of <paramref name="now"/>.</summary>
    public static OperationReport From(OperationStatus status, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(status);
        double? rate = null;
        double? left = null;
        if (
            status.CustomStatus is { ValueKind: JsonValueKind.Object } progress
            && progress.TryGetProperty("eventsRead", out var read)
            && progress.TryGetProperty("records", out var planned)
        )
        {
            var elapsed = (
                (status.State == OperationState.Running ? now : status.UpdatedAt) - status.CreatedAt
            ).TotalSeconds;
            rate = elapsed > 0 ? Math.Round(read.GetInt64() / elapsed) : null;
            if (status.State == OperationState.Running && read.GetInt64() > 0 && read.GetInt64() < planned.GetInt64())
            {
                left = Math.Round(elapsed * (planned.GetInt64() - read.GetInt64()) / read.GetInt64(), 1);
            }
        }

        return new OperationReport(
            status.InstanceId,
            status.Orchestrator,
            status.State,
            status.CreatedAt,
            status.UpdatedAt,
            status.CustomStatus,
            status.Output,
            status.Error,
            rate,
            left
        );
    }
}

/// <summary>A page of operations, newest first.</summary>
/// <param name="Items">The operations.</param>
/// <param name="Continuation">Pass as <c>continuation</c> for the next page; null on the last.</param>
public sealed record OperationPage(IReadOnlyList<OperationReport> Items, string? Continuation);

/// <summary>Which operations a listing shows.</summary>
/// <param name="View">Only this view's.</param>
/// <param name="Kind">Only this kind.</param>
/// <param name="State">Only in this state.</param>
/// <param name="PageSize">How many a page holds.</param>
/// <param name="Skip">How many of the newest to skip (the continuation of a previous page).</param>
public sealed record OperationQuery(string? View, OperationKind? Kind, OperationState? State, int PageSize, int Skip);
