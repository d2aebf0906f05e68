using Azure;

namespace Pipeline.Application.Storage;

/// <summary>
/// The one retry policy of ETag-guarded read-modify-writes (progress, pointers, routings, locks): when
/// another writer got in between the read and the write (412, or 409 for a create), read again and retry,
/// up to <see cref="MaxAttempts"/> times; past that the contention is a fault to report, not to hide.
/// </summary>
public static class OptimisticConcurrency
{
    /// <summary>How many times a read-modify-write is tried.</summary>
    public const int MaxAttempts = 10;

    /// <summary>
    /// Runs <paramref name="attempt"/> (given its number, from 1: from the second on it must read again)
    /// until it does not lose to another writer.
    /// </summary>
    public static async Task<T> RetryAsync<T>(Func<int, Task<T>> attempt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        for (var number = 1; ; number++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                return await attempt(number).ConfigureAwait(false);
            }
            catch (RequestFailedException ex) when (IsLostRace(ex) && number < MaxAttempts)
            {
                // Another writer got in between our read and our write: the next attempt reads theirs.
            }
        }
    }

    /// <summary>Whether a failure means another writer changed (or created) the entity first.</summary>
    public static bool IsLostRace(RequestFailedException failure) => failure?.Status is 409 or 412;
}
