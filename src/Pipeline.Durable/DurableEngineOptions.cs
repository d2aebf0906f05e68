using System.ComponentModel.DataAnnotations;

namespace Pipeline.Durable;

/// <summary>
/// Settings of the dev host's Durable Task engine (section <c>Durable</c>: <c>Durable__TaskHub</c> and so
/// on). The Azure Storage backend's own defaults suit a cluster of workers; these suit one process that
/// may be stopped or killed at any time: idle queues are polled at least every second, and work a killed
/// process had taken becomes visible again after 30 seconds instead of 5 minutes. (20 seconds was measured
/// too short: on two busy cores an activity's lock renewal, every 5 seconds, sometimes came late, and the
/// activity ran twice at once.)
/// </summary>
public sealed class DurableEngineOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Durable";

    /// <summary>The task hub (its tables, queues and blob container); the storage prefix, if any, is appended. Durable
    /// Functions' is set in host.json.</summary>
    [RegularExpression(
        "^[A-Za-z][A-Za-z0-9]{2,24}$",
        ErrorMessage = "Durable:TaskHub must be 3-25 letters and digits, starting with a letter"
    )]
    public string TaskHub { get; set; } = "PipelineHub";

    /// <summary>The longest wait between polls of an idle queue (the backend backs off up to this).</summary>
    [Range(
        typeof(TimeSpan),
        "00:00:00.100",
        "00:00:30",
        ErrorMessage = "Durable:MaxPollingInterval must be between 100 ms and 30 s"
    )]
    public TimeSpan MaxPollingInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a message taken by a worker stays invisible: after a crash, its work runs again once this has
    /// passed.</summary>
    [Range(
        typeof(TimeSpan),
        "00:00:05",
        "00:10:00",
        ErrorMessage = "Durable:VisibilityTimeout must be between 5 seconds and 10 minutes"
    )]
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many activities (chunk folds, settling, writes) the engine runs at once. Durable Functions has its
    /// own limit in host.json.</summary>
    [Range(1, 64, ErrorMessage = "Durable:ActivityConcurrency must be between 1 and 64")]
    public int ActivityConcurrency { get; set; } = 4;

    /// <summary>How long a worker's hold on the task hub's control queue lasts unrenewed: a restarted process takes it
    /// over after this.</summary>
    [Range(
        typeof(TimeSpan),
        "00:00:05",
        "00:01:00",
        ErrorMessage = "Durable:LeaseInterval must be between 5 seconds and 1 minute"
    )]
    public TimeSpan LeaseInterval { get; set; } = TimeSpan.FromSeconds(15);
}
