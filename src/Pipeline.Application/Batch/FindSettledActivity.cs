using Azure;
using Microsoft.DurableTask;
using Pipeline.Application.Storage;

namespace Pipeline.Application.Batch;

/// <summary>
/// Looks for the settling a run needs, kept by another view's run with the same plan (the same starting cutoff,
/// cutoff, chunk size, retry horizon and shards): every shard's result, or none. When found, the run's folds write
/// no copies and no shard is settled again, so the identity work of a cutoff is done once for all its views.
/// </summary>
[DurableTask(ActivityName)]
public sealed class FindSettledActivity(PipelineStore store) : TaskActivity<IReadOnlyList<string>, ShardSettled[]?>
{
    /// <summary>The activity's name.</summary>
    public const string ActivityName = "find-settled";

    /// <inheritdoc />
    public override async Task<ShardSettled[]?> RunAsync(TaskActivityContext context, IReadOnlyList<string> input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var found = new ShardSettled[input.Count];
        for (var shard = 0; shard < input.Count; shard++)
        {
            try
            {
                var content = await store
                    .Work.GetBlobClient(input[shard])
                    .DownloadContentAsync(CancellationToken.None)
                    .ConfigureAwait(false);
                found[shard] = content.Value.Content.ToObjectFromJson<ShardSettled>(ApiJson.Options)!;
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                return null;
            }
        }

        return found;
    }
}
