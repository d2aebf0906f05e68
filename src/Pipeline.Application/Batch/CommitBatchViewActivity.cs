using Microsoft.DurableTask;
using Pipeline.Application.Operations;

namespace Pipeline.Application.Batch;

/// <summary>Commits a written batch view: one ETag-guarded move of the view's pointer (never backwards).</summary>
[DurableTask(ActivityName)]
public sealed class CommitBatchViewActivity(PointerStore pointers, TimeProvider time)
    : TaskActivity<BatchPointer, RecomputeResult>
{
    /// <summary>The activity's name.</summary>
    public const string ActivityName = "commit-batch-view";

    /// <inheritdoc />
    public override async Task<RecomputeResult> RunAsync(TaskActivityContext context, BatchPointer input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var pointer = input;
        var cancellationToken = CancellationToken.None;
        var (moved, current) = await pointers
            .CommitAsync(pointer with { CommittedAt = time.GetUtcNow() }, cancellationToken)
            .ConfigureAwait(false);
        return new RecomputeResult(moved, current);
    }
}
