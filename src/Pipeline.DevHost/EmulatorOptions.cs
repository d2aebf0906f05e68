using System.ComponentModel.DataAnnotations;

namespace Pipeline.DevHost;

/// <summary>Settings of the dev host's Event Hubs emulation (section <c>DevHost</c>).</summary>
public sealed class EmulatorOptions
{
    public const string Section = "DevHost";

    /// <summary>Number of partitions events are spread over by a hash of their subject (else id).</summary>
    [Range(1, 32)]
    public int Partitions { get; set; } = 4;

    /// <summary>The most events one ingest batch holds.</summary>
    [Range(1, 10_000)]
    public int MaxBatchEvents { get; set; } = 2_000;

    /// <summary>How long a partition waits to fill a batch before ingesting what it has.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:10")]
    public TimeSpan MaxBatchDelay { get; set; } = TimeSpan.FromMilliseconds(25);

    /// <summary>Events a partition may hold waiting for ingest; beyond it, publishes get 503 with
    /// Retry-After.</summary>
    [Range(1, 10_000_000)]
    public int QueueCapacity { get; set; } = 100_000;

    /// <summary>The largest accepted request body.</summary>
    [Range(1, 1024 * 1024 * 1024)]
    public int MaxRequestBytes { get; set; } = 64 * 1024 * 1024;
}
