namespace Pipeline.Application.Operations;

/// <summary>What starting an operation gave: the operation (new, or the one already running) and where to follow
/// it.</summary>
/// <param name="OperationId">The operation's id.</param>
/// <param name="Started">False when an equal operation was already there (running, or done for the same
/// cutoff).</param>
/// <param name="State">Its state now.</param>
/// <param name="StatusUri">Where its status and progress are.</param>
/// <param name="ReportsUri">Where an audit's report will be listed.</param>
public sealed record OperationStarted(
    string OperationId,
    bool Started,
    OperationState State,
    string StatusUri,
    string? ReportsUri = null
)
{
    /// <summary>The answer for an operation's status.</summary>
    public static OperationStarted Of(OperationStatus operation, bool started)
    {
        ArgumentNullException.ThrowIfNull(operation);
        return new OperationStarted(
            operation.InstanceId,
            started,
            operation.State,
            $"/api/operations/{operation.InstanceId}"
        );
    }
}
