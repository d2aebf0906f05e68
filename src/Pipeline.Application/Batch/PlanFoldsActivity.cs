using Microsoft.DurableTask;
using Pipeline.Application.Ingest;
using Pipeline.Application.Operations;
using Pipeline.Application.RawLog;
using Pipeline.Application.Storage;
using Pipeline.Application.Time;

namespace Pipeline.Application.Batch;

/// <summary>Input of <see cref="PlanFoldsActivity"/>.</summary>
/// <param name="Cutoff">Fold the epochs below this.</param>
/// <param name="Since">From this epoch (0: all).</param>
/// <param name="ChunkEvents">About how many raw records one fold activity reads.</param>
/// <param name="RetryHorizon">The longest stretch of enqueued time a chunk may span.</param>
public sealed record PlanFoldsInput(long Cutoff, long Since, long ChunkEvents, TimeSpan RetryHorizon);

/// <summary>One fold activity's share of a partition: its raw segments of epochs [FromEpoch, UntilEpoch).</summary>
/// <param name="Partition">The partition.</param>
/// <param name="Chunk">Its place among the partition's chunks, in epoch (and so sequence) order.</param>
/// <param name="FromEpoch">The first epoch.</param>
/// <param name="UntilEpoch">The epoch after the last.</param>
/// <param name="Segments">Raw segments in it.</param>
/// <param name="Records">Raw records in them (redeliveries included).</param>
/// <param name="DataFrom">The first epoch that held a segment of the partition when the chunk was planned (null:
/// not known, so FromEpoch).</param>
/// <param name="DataUntil">The epoch after the last that did (null: not known, so UntilEpoch).</param>
public sealed record FoldChunk(
    int Partition,
    int Chunk,
    long FromEpoch,
    long UntilEpoch,
    int Segments,
    long Records,
    long? DataFrom = null,
    long? DataUntil = null
)
{
    /// <summary>
    /// The epochs whose segments a fold lists: those from the first to the last that held data when the chunk was
    /// planned. Planning is below a sealed cutoff, so every event of the chunk had landed by then, and a segment
    /// written later (a redelivery) holds records of an epoch that already had one: the epochs outside this span
    /// stay empty, and listing them would only cost empty requests (dozens for a range that starts at epoch 0).
    /// </summary>
    public (long From, long Until) ListedEpochs => (DataFrom ?? FromEpoch, DataUntil ?? UntilEpoch);

    /// <summary>Whether this chunk is its partition's whole log from the start of the log to <paramref
    /// name="cutoff"/>.</summary>
    public bool IsWholeLogBelow(long cutoff) => Chunk == 0 && FromEpoch == 0 && UntilEpoch == cutoff;
}

/// <summary>
/// Splits the raw log of [since, cutoff) into fold chunks: per partition, runs of whole epochs of about
/// <see cref="PlanFoldsInput.ChunkEvents"/> records (counted from the segment names, without reading
/// them), and no longer than the retry horizon, so that every copy of an event in a chunk is within the horizon
/// of its first and a chunk's own fold applies the retry rule exactly. Whole epochs, because a redelivered event
/// lands in the epoch of its original (its enqueued time does not change), so every redelivery of a record is in
/// one chunk. Every partition with progress gets at
/// least one chunk, even an empty one, so that its identity index moves on to the new cutoff.
/// </summary>
[DurableTask(ActivityName)]
public sealed class PlanFoldsActivity(PipelineStore store, ProgressStore progress, PipelineClock clock)
    : TaskActivity<PlanFoldsInput, FoldChunk[]>
{
    /// <summary>The activity's name.</summary>
    public const string ActivityName = "plan-folds";

    /// <inheritdoc />
    public override async Task<FoldChunk[]> RunAsync(TaskActivityContext context, PlanFoldsInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var request = input;
        var cancellationToken = CancellationToken.None;
        var partitions = (await progress.ListAsync(cancellationToken).ConfigureAwait(false))
            .Select(p => p.Partition)
            .ToHashSet();
        var epochs = new Dictionary<int, SortedDictionary<long, (int Segments, long Records)>>();
        foreach (
            var segment in await RawSegments
                .ListAsync(store.Raw, request.Since, request.Cutoff, partition: null, cancellationToken)
                .ConfigureAwait(false)
        )
        {
            partitions.Add(segment.Partition);
            var byEpoch = epochs.TryGetValue(segment.Partition, out var known) ? known : epochs[segment.Partition] = [];
            var (segments, records) = byEpoch.GetValueOrDefault(segment.Epoch);
            byEpoch[segment.Epoch] = (segments + 1, records + (segment.Last - segment.First + 1));
        }

        var longest = Math.Max(1, request.RetryHorizon.Ticks / clock.Epochs.Length.Ticks);
        var chunks = new List<FoldChunk>();
        foreach (var partition in partitions.Order())
        {
            var (index, from, segments, records, firstWithData, lastWithData) = (0, request.Since, 0, 0L, 0L, 0L);
            foreach (var (epoch, content) in epochs.GetValueOrDefault(partition) ?? [])
            {
                if (
                    segments > 0
                    && (records + content.Records > request.ChunkEvents || epoch - firstWithData >= longest)
                )
                {
                    chunks.Add(Chunk(partition, index++, from, epoch, segments, records, firstWithData, lastWithData));
                    (from, segments, records) = (epoch, 0, 0);
                }

                firstWithData = segments == 0 ? epoch : firstWithData;
                lastWithData = epoch;

                segments += content.Segments;
                records += content.Records;
            }

            chunks.Add(Chunk(partition, index, from, request.Cutoff, segments, records, firstWithData, lastWithData));
        }

        return [.. chunks];
    }

    private static FoldChunk Chunk(
        int partition,
        int index,
        long from,
        long until,
        int segments,
        long records,
        long firstWithData,
        long lastWithData
    ) =>
        segments == 0
            ? new FoldChunk(partition, index, from, until, 0, 0, DataFrom: from, DataUntil: from)
            : new FoldChunk(partition, index, from, until, segments, records, firstWithData, lastWithData + 1);
}
