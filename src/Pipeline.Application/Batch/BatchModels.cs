namespace Pipeline.Application.Batch;

/// <summary>What a recompute is asked to do.</summary>
/// <param name="View">The view name.</param>
/// <param name="Version">The view version.</param>
/// <param name="Cutoff">The batch view will hold exactly the events of epochs below this.</param>
/// <param name="Since">The committed cutoff to build on incrementally (0: a full run from the start of the
/// log).</param>
/// <param name="ChunkEvents">About how many raw records one fold activity reads.</param>
/// <param name="RetryHorizon">How far apart in enqueued time two copies of an event (source, id) are one event
/// (zero: <see cref="DefaultRetryHorizon"/>).</param>
/// <param name="SettleShardIdentities">About how many identities one settle activity merges.</param>
public sealed record RecomputeInput(
    string View,
    int Version,
    long Cutoff,
    long Since = 0,
    long ChunkEvents = RecomputeInput.DefaultChunkEvents,
    TimeSpan RetryHorizon = default,
    long SettleShardIdentities = RecomputeInput.DefaultSettleShardIdentities
)
{
    /// <summary>The default size of a fold chunk, in raw records: a fold holds up to about 100 bytes a record (its
    /// identities twice: a set for retries within the chunk, and the copies it sorts for settling), so about 100 MB,
    /// and four at once fit a 2,048 MB Flex Consumption instance with room to spare.</summary>
    public const long DefaultChunkEvents = 1_000_000;

    /// <summary>The default number of identities one settle activity merges (streamed, so this sets how long a settle
    /// activity runs and how many run in parallel, not its memory).</summary>
    public const long DefaultSettleShardIdentities = 4_000_000;

    /// <summary>The default retry horizon: the longest retention of a standard event hub.</summary>
    public static readonly TimeSpan DefaultRetryHorizon = TimeSpan.FromDays(7);

    /// <summary>The retry horizon this run applies.</summary>
    public TimeSpan Horizon => RetryHorizon > TimeSpan.Zero ? RetryHorizon : DefaultRetryHorizon;
}

/// <summary>The committed state of one view version's batch view.</summary>
/// <param name="View">The view.</param>
/// <param name="Version">The version.</param>
/// <param name="Cutoff">Its cutoff epoch.</param>
/// <param name="Operation">The operation that built it.</param>
/// <param name="Rows">Rows served.</param>
/// <param name="Events">Events counted.</param>
/// <param name="DuplicatesRemoved">Redelivered events and producer retries removed.</param>
/// <param name="LastSequences">Per partition, the last sequence number covered.</param>
/// <param name="CommittedAt">When it was committed.</param>
/// <param name="Timings">Seconds spent folding (the slowest partition) and writing the rows, and events read.</param>
/// <param name="LoggedEvents">Per partition, the events (distinct sequence numbers) the raw log held below the cutoff
/// when folded: what an audit expects to find there still.</param>
/// <param name="IdentityShards">How many shards its identity index at the cutoff has (0: none).</param>
/// <param name="IdentityEntries">Identities in that index.</param>
/// <param name="RetryHorizon">The retry horizon it was built with (null: none recorded).</param>
/// <param name="ServedDaysBlob">The list of which copy of each day serves (null: every day under the cutoff).</param>
public sealed record BatchPointer(
    string View,
    int Version,
    long Cutoff,
    string Operation,
    long Rows,
    long Events,
    long DuplicatesRemoved,
    IReadOnlyDictionary<int, long> LastSequences,
    DateTimeOffset CommittedAt,
    BatchTimings? Timings = null,
    IReadOnlyDictionary<int, long>? LoggedEvents = null,
    int IdentityShards = 0,
    long IdentityEntries = 0,
    TimeSpan? RetryHorizon = null,
    string? ServedDaysBlob = null
);

/// <summary>How long a recompute's steps took.</summary>
/// <param name="FoldSeconds">The slowest partition's fold.</param>
/// <param name="WriteSeconds">Merging and writing the batch view.</param>
/// <param name="EventsRead">Raw events read by this run (fewer than the view holds when incremental).</param>
/// <param name="RowsWritten">Rows this run wrote: those of the days its new events touched.</param>
/// <param name="DaysWritten">Days this run wrote.</param>
public sealed record BatchTimings(
    double FoldSeconds,
    double WriteSeconds,
    long EventsRead,
    long RowsWritten = 0,
    int DaysWritten = 0
);

/// <summary>A recompute's output.</summary>
/// <param name="Committed">Whether this run moved the pointer (false: an equal or newer cutoff was already
/// committed).</param>
/// <param name="Serving">The pointer as it now stands.</param>
public sealed record RecomputeResult(bool Committed, BatchPointer Serving);

/// <summary>A recompute's progress, as its operation status shows it.</summary>
/// <param name="Phase">folding, settling, writing, committed or already committed.</param>
/// <param name="Partitions">Partitions folded.</param>
/// <param name="Chunks">Fold chunks planned (runs of whole epochs of one partition).</param>
/// <param name="ChunksDone">Fold chunks finished.</param>
/// <param name="Segments">Raw segments to read.</param>
/// <param name="SegmentsDone">Raw segments read.</param>
/// <param name="Records">Raw records to read.</param>
/// <param name="EventsRead">Raw records read.</param>
/// <param name="RedeliveredRemoved">Redelivered events removed.</param>
/// <param name="RetriesRemoved">Producer retries removed.</param>
/// <param name="Rows">Batch view rows written, once known.</param>
public sealed record RecomputeProgress(
    string Phase,
    int Partitions,
    int Chunks,
    int ChunksDone,
    long Segments,
    long SegmentsDone,
    long Records,
    long EventsRead,
    long RedeliveredRemoved,
    long RetriesRemoved,
    long? Rows
);
