using Microsoft.DurableTask;
using Pipeline.Application.Orchestration;

namespace Pipeline.Application.Batch;

/// <summary>Commits a written batch view: one ETag-guarded move of the view's pointer (never backwards).</summary>
[DurableTask(ActivityName)]
public sealed class CommitBatchViewActivity(PointerStore pointers, TimeProvider time) : TaskActivity<BatchPointer, RecomputeResult>
{
    /// <summary>The activity's name.</summary>
    public const string ActivityName = "commit-batch-view";


    /// <inheritdoc />
    public override async Task<RecomputeResult> RunAsync(TaskActivityContext context, BatchPointer input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var pointer = input;
        var cancellationToken = CancellationToken.None;
        var (moved, current) = await pointers.CommitAsync(pointer with { CommittedAt = time.GetUtcNow() }, cancellationToken).ConfigureAwait(false);
        return new RecomputeResult(moved, current);
    }
}

/// <summary>A view version, as the input of <see cref="ReadPointerActivity"/>.</summary>
/// <param name="View">The view.</param>
/// <param name="Version">The version.</param>
public sealed record PointerKey(string View, int Version);

/// <summary>Reads a view version's committed pointer (for an incremental run's bookkeeping).</summary>
[DurableTask(ActivityName)]
public sealed class ReadPointerActivity(PointerStore pointers) : TaskActivity<PointerKey, BatchPointer?>
{
    /// <summary>The activity's name.</summary>
    public const string ActivityName = "read-pointer";

    /// <inheritdoc />
    public override async Task<BatchPointer?> RunAsync(TaskActivityContext context, PointerKey input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return await pointers.GetAsync(input.View, input.Version, CancellationToken.None).ConfigureAwait(false);
    }
}
