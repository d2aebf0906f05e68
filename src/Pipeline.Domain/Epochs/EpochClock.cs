namespace Pipeline.Domain.Epochs;

/// <summary>
/// Ingestion epochs: fixed-length slices of Event Hubs enqueued time, numbered from the Unix epoch.
/// The batch/speed boundary is an epoch number, never a wall-clock guess: a batch view with cutoff E
/// holds exactly the events of epochs below E, and the speed layer contributes the rest.
/// </summary>
public sealed class EpochClock
{
    /// <summary>Creates a clock with the given epoch length (at least one second).</summary>
    public EpochClock(TimeSpan length)
    {
        if (length < TimeSpan.FromSeconds(1))
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "an epoch lasts at least one second");
        }

        Length = length;
    }

    /// <summary>The epoch length.</summary>
    public TimeSpan Length { get; }

    /// <summary>The epoch of an enqueued time.</summary>
    public long EpochOf(DateTimeOffset enqueuedTime)
    {
        var sinceUnix = enqueuedTime.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        return Math.DivRem(sinceUnix, Length.Ticks) is var (quotient, remainder) && remainder < 0
            ? quotient - 1
            : quotient;
    }

    /// <summary>The first instant of an epoch.</summary>
    public DateTimeOffset StartOf(long epoch) => DateTimeOffset.UnixEpoch.AddTicks(epoch * Length.Ticks);
}
