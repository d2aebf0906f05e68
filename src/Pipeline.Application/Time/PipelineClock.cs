using Microsoft.Extensions.Options;
using Pipeline.Application.Configuration;
using Pipeline.Domain.Epochs;

namespace Pipeline.Application.Time;

/// <summary>
/// The process's one clock: what time it is (from the injected <see cref="TimeProvider"/>, so tests move
/// time instead of waiting for it) and the epoch arithmetic of the configured epoch length. Nothing in
/// the pipeline reads the system clock directly (an analyzer bans it).
/// </summary>
public sealed class PipelineClock
{
    /// <summary>Creates the clock of a process.</summary>
    public PipelineClock(TimeProvider time, IOptions<PipelineOptions> options)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(options);
        Time = time;
        Epochs = new EpochClock(options.Value.EpochLength);
    }

    /// <summary>The time source (timers and delays take it too).</summary>
    public TimeProvider Time { get; }

    /// <summary>Epoch numbering at the configured length.</summary>
    public EpochClock Epochs { get; }

    /// <summary>How often a host looks for what falls due <paramref name="period"/> after something happened: a
    /// quarter of it, between one second and one minute.</summary>
    public static TimeSpan CheckIntervalFor(TimeSpan period) =>
        TimeSpan.FromTicks(Math.Clamp(period.Ticks / 4, TimeSpan.FromSeconds(1).Ticks, TimeSpan.FromMinutes(1).Ticks));

    /// <summary>Now, UTC.</summary>
    public DateTimeOffset UtcNow => Time.GetUtcNow();

    /// <summary>The epoch that holds now.</summary>
    public long CurrentEpoch => Epochs.EpochOf(UtcNow);

    /// <summary>The epoch of an enqueued time.</summary>
    public long EpochOf(DateTimeOffset enqueuedTime) => Epochs.EpochOf(enqueuedTime);

    /// <summary>The first instant of an epoch.</summary>
    public DateTimeOffset StartOf(long epoch) => Epochs.StartOf(epoch);

    /// <summary>A stopwatch reading on this clock, for <see cref="Elapsed"/>.</summary>
    public long Timestamp() => Time.GetTimestamp();

    /// <summary>How long ago <paramref name="timestamp"/> (from <see cref="Timestamp"/>) was taken.</summary>
    public TimeSpan Elapsed(long timestamp) => Time.GetElapsedTime(timestamp);
}
