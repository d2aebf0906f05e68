using System.ComponentModel.DataAnnotations;

namespace Pipeline.Application.Configuration;

/// <summary>
/// The pipeline's settings, bound from the <c>Pipeline</c> configuration section (environment
/// variables spell them <c>Pipeline__EpochLength</c> and so on) and validated at start-up.
/// </summary>
public sealed class PipelineOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Pipeline";

    /// <summary>Length of an ingestion epoch, the unit of the batch/speed boundary. Default one hour.</summary>
    [Range(
        typeof(TimeSpan),
        "00:00:01",
        "7.00:00:00",
        ErrorMessage = "Pipeline:EpochLength must be between 1 second and 7 days"
    )]
    public TimeSpan EpochLength { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How far the event hub's clock (which stamps enqueued times) may be behind this process's: a partition
    /// that is caught up is sealed up to now less this. Default two seconds.
    /// </summary>
    [Range(
        typeof(TimeSpan),
        "00:00:00",
        "00:10:00",
        ErrorMessage = "Pipeline:SealingMargin must be between 0 and 10 minutes"
    )]
    public TimeSpan SealingMargin { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How far back (in enqueued time) the speed layer remembers event ids to drop producer retries. Default
    /// 15 minutes.</summary>
    [Range(
        typeof(TimeSpan),
        "00:00:00",
        "1.00:00:00",
        ErrorMessage = "Pipeline:DedupWindow must be between 0 and 1 day"
    )]
    public TimeSpan DedupWindow { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// About how many raw records one fold activity of a recompute or replay reads: each partition's log is
    /// split into runs of whole epochs of this size, folded in parallel. Smaller chunks spread a large
    /// partition over more workers; each chunk costs a few storage requests of its own.
    /// </summary>
    [Range(10, 100_000_000, ErrorMessage = "Pipeline:FoldChunkEvents must be between 10 and 100,000,000")]
    public long FoldChunkEvents { get; set; } = Batch.RecomputeInput.DefaultChunkEvents;

    /// <summary>
    /// How far apart in enqueued time two copies of one event (the same <c>source</c> and <c>id</c>) may land, in
    /// any partitions, and still count once in the batch view: a copy enqueued within this after another copy is a
    /// producer retry; a resend later than this is a new event. Default 7 days, the longest retention of a
    /// standard event hub; at least the epoch length.
    /// </summary>
    [Range(
        typeof(TimeSpan),
        "00:00:01",
        "366.00:00:00",
        ErrorMessage = "Pipeline:RetryHorizon must be between 1 second and 366 days"
    )]
    public TimeSpan RetryHorizon { get; set; } = Batch.RecomputeInput.DefaultRetryHorizon;

    /// <summary>
    /// About how many event identities one settle activity of a recompute merges: a run's identities are split by
    /// hash into as many shards as keep each under this, however long the log (settling streams them, so this sets
    /// an activity's length, not its memory).
    /// </summary>
    [Range(10, 20_000_000, ErrorMessage = "Pipeline:SettleShardIdentities must be between 10 and 20,000,000")]
    public long SettleShardIdentities { get; set; } = Batch.RecomputeInput.DefaultSettleShardIdentities;

    /// <summary>How many keys the batch write holds before it writes the days it has passed (a day is never
    /// split).</summary>
    [Range(1, 1_000_000, ErrorMessage = "Pipeline:BatchWriteKeys must be between 1 and 1,000,000")]
    public int BatchWriteKeys { get; set; } = 20_000;

    /// <summary>How long after a batch view's commit the speed data it covers is kept (queries may still hold the
    /// previous pointer).</summary>
    [Range(
        typeof(TimeSpan),
        "00:00:00",
        "7.00:00:00",
        ErrorMessage = "Pipeline:RetirementGrace must be between 0 and 7 days"
    )]
    public TimeSpan RetirementGrace { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often every serving view version is audited against the raw log (zero: only on demand).</summary>
    [Range(
        typeof(TimeSpan),
        "00:00:00",
        "30.00:00:00",
        ErrorMessage = "Pipeline:AuditInterval must be between 0 and 30 days"
    )]
    public TimeSpan AuditInterval { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// How long a running operation may go without progress (no step finished) before the batch timer stops it
    /// and starts it again under the same id (zero: never). Longer than any one step may take: in Azure the
    /// Functions timeout (<c>host.json</c>, 30 minutes) ends a step before this default does.
    /// </summary>
    [Range(
        typeof(TimeSpan),
        "00:00:00",
        "7.00:00:00",
        ErrorMessage = "Pipeline:StalledOperationTimeout must be between 0 and 7 days"
    )]
    public TimeSpan StalledOperationTimeout { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How many keys a scheduled audit checks.</summary>
    [Range(1, 100_000, ErrorMessage = "Pipeline:AuditSample must be between 1 and 100000")]
    public int AuditSample { get; set; } = 200;

    /// <summary>
    /// The most view versions the registry holds, the shipped ones and dropped ones included: every ingested
    /// event is folded into each, so each one costs ingest its share.
    /// </summary>
    [Range(1, 1000, ErrorMessage = "Pipeline:MaxViewVersions must be between 1 and 1000")]
    public int MaxViewVersions { get; set; } = 50;

    /// <summary>
    /// Prefix of every table and container name, so that several pipelines (or test runs) can share an
    /// account. Lower-case letters and digits.
    /// </summary>
    [RegularExpression(
        "^[a-z0-9]{0,20}$",
        ErrorMessage = "Pipeline:StoragePrefix must be up to 20 lower-case letters and digits"
    )]
    public string StoragePrefix { get; set; } = string.Empty;
}
