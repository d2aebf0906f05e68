using Microsoft.DurableTask;

namespace Pipeline.Application.Batch;

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
        return await pointers
            .GetAsync(new Domain.Views.ViewVersion(input.View, input.Version), CancellationToken.None)
            .ConfigureAwait(false);
    }
}
