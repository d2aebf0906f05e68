using System.Text.Json;
using Pipeline.Application.Orchestration;

namespace Pipeline.Application.Batch;

/// <summary>Commits a written batch view: one ETag-guarded move of the view's pointer (never backwards).</summary>
internal sealed class CommitBatchViewActivity(PointerStore pointers) : IActivity
{
    public const string ActivityName = "commit-batch-view";

    public string Name => ActivityName;

    public async Task<object?> RunAsync(JsonElement input, CancellationToken cancellationToken)
    {
        var pointer = input.Deserialize<BatchPointer>(ApiJson.Options)!;
        var (moved, current) = await pointers.CommitAsync(pointer with { CommittedAt = DateTimeOffset.UtcNow }, cancellationToken).ConfigureAwait(false);
        return new RecomputeResult(moved, current);
    }
}

/// <summary>Reads a view version's committed pointer (for an incremental run's bookkeeping).</summary>
internal sealed class ReadPointerActivity(PointerStore pointers) : Orchestration.IActivity
{
    public const string ActivityName = "read-pointer";

    public string Name => ActivityName;

    public async Task<object?> RunAsync(JsonElement input, CancellationToken cancellationToken) =>
        await pointers.GetAsync(input[0].GetString()!, int.Parse(input[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
}
