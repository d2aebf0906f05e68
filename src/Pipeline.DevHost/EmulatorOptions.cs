using System.ComponentModel.DataAnnotations;

namespace Pipeline.DevHost;

/// <summary>Settings of the dev host's Event Hubs emulation (section <c>DevHost</c>).</summary>
public sealed class EmulatorOptions
{
    public const string Section = "DevHost";

    /// <summary>Number of partitions events are spread over.</summary>
    [Range(1, 32, ErrorMessage = "DevHost:Partitions must be between 1 and 32")]
    public int Partitions { get; set; } = 4;

    /// <summary>
    /// How events are spread: <c>key</c>, by a hash of their subject (else id), as a producer that sets a partition
    /// key; or <c>round-robin</c>, one partition after the other, as Event Hubs spreads the events of a producer that
    /// sets none (so that a resent event may land in another partition than its first copy).
    /// </summary>
    [RegularExpression("^(key|round-robin)$", ErrorMessage = "DevHost:Partitioning must be 'key' or 'round-robin'")]
    public string Partitioning { get; set; } = "key";

    /// <summary>The most events one ingest batch holds.</summary>
    [Range(1, 10_000, ErrorMessage = "DevHost:MaxBatchEvents must be between 1 and 10,000")]
    public int MaxBatchEvents { get; set; } = 2_000;

    /// <summary>How long a partition waits to fill a batch before ingesting what it has.</summary>
    [Range(
        typeof(TimeSpan),
        "00:00:00",
        "00:00:10",
        ErrorMessage = "DevHost:MaxBatchDelay must be between 0 and 10 seconds"
    )]
    public TimeSpan MaxBatchDelay { get; set; } = TimeSpan.FromMilliseconds(25);

    /// <summary>Events a partition may hold waiting for ingest; beyond it, publishes get 503 with
    /// Retry-After.</summary>
    [Range(1, 10_000_000, ErrorMessage = "DevHost:QueueCapacity must be between 1 and 10,000,000")]
    public int QueueCapacity { get; set; } = 100_000;

    /// <summary>The largest accepted request body.</summary>
    [Range(1, 1024 * 1024 * 1024, ErrorMessage = "DevHost:MaxRequestBytes must be between 1 byte and 1 GiB")]
    public int MaxRequestBytes { get; set; } = 64 * 1024 * 1024;
}
