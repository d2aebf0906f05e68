using System.Globalization;
using System.Text.Json;
using Pipeline.Application.Orchestration;
using Pipeline.Application.Storage;
using Pipeline.Domain.Hashing;
using Pipeline.Domain.Views;

namespace Pipeline.Application.Batch;

/// <summary>Input of <see cref="FoldChunkActivity"/>.</summary>
/// <param name="View">The view.</param>
/// <param name="Version">The version.</param>
/// <param name="Chunk">The chunk to fold.</param>
/// <param name="Operation">The operation (names the output blobs).</param>
/// <param name="Cutoff">The run's cutoff.</param>
public sealed record FoldChunkInput(string View, int Version, FoldChunk Chunk, string Operation, long Cutoff);

/// <summary>One chunk's fold: what was read and removed, and where its partials and identities are.</summary>
/// <param name="Partition">The partition.</param>
/// <param name="Chunk">The chunk's place in the partition.</param>
/// <param name="Segments">Raw segments read.</param>
/// <param name="EventsRead">Records read from them.</param>
/// <param name="RedeliveredRemoved">Records dropped as repeats of a (partition, sequence number) already read.</param>
/// <param name="RetriesRemoved">Events dropped as producer retries of an event earlier in the chunk.</param>
/// <param name="LastSequence">The last sequence number read (-1: none).</param>
/// <param name="PartialsBlob">The blob holding the chunk's partials.</param>
/// <param name="IdentitiesBlob">The blob holding the identities of the events it counted.</param>
/// <param name="Seconds">How long the fold took.</param>
public sealed record ChunkFold(int Partition, int Chunk, int Segments, long EventsRead, long RedeliveredRemoved, long RetriesRemoved, long LastSequence, string PartialsBlob, string IdentitiesBlob, double Seconds = 0);

/// <summary>
/// Folds one chunk of a partition's raw log (the fan-out of a recompute: chunks of every partition run in
/// parallel). De-duplicates within the chunk; producer retries of events in earlier chunks or below the
/// run's starting cutoff are settled afterwards per partition (<see cref="SettlePartitionActivity"/>),
/// from the identities this writes. Output names come from the operation and the chunk, so a repeated
/// run writes the same content to the same places.
/// </summary>
internal sealed class FoldChunkActivity(PipelineStore store, ViewRegistry registry) : IActivity
{
    public const string ActivityName = "fold-chunk";

    public string Name => ActivityName;

    public async Task<object?> RunAsync(JsonElement input, CancellationToken cancellationToken)
    {
        var request = input.Deserialize<FoldChunkInput>(ApiJson.Options)!;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var view = RegisteredViews.Require(registry, request.View, request.Version);
        var chunk = request.Chunk;
        var fold = await ChunkFolder.FoldAsync(store, view, chunk.Partition, chunk.FromEpoch, chunk.UntilEpoch, new FingerprintSet(), cancellationToken).ConfigureAwait(false);

        var name = BlobName(request.Operation, chunk);
        // A chunk that is its partition's whole log below the cutoff (a full run, one chunk) has nothing to
        // settle: its identities are the partition's index at the cutoff.
        var identities = chunk.IsWholeLogBelow(request.Cutoff) ? IdentityIndex.Name(chunk.Partition, request.Cutoff) : $"{name}.ids";
        await IdentityIndex.WriteBlobAsync(store, identities, fold.Identities, cancellationToken).ConfigureAwait(false);
        await store.Work.GetBlobClient($"{name}.partials").UploadAsync(BinaryData.FromBytes(PartialsFile.Write(view, fold.Partials.Partials)), cancellationToken: cancellationToken).ConfigureAwait(false);
        return new ChunkFold(chunk.Partition, chunk.Chunk, fold.Segments, fold.Read, fold.Redelivered, fold.Retries, fold.LastSequence, $"{name}.partials", identities, watch.Elapsed.TotalSeconds);
    }

    /// <summary>The name (without extension) of a chunk's output blobs.</summary>
    public static string BlobName(string operation, FoldChunk chunk) =>
        string.Create(CultureInfo.InvariantCulture, $"{operation}/partition-{chunk.Partition:D4}.chunk-{chunk.Chunk:D4}");
}
