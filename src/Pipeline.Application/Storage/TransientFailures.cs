using System.Net.Sockets;
using Azure;
using Microsoft.DurableTask;

namespace Pipeline.Application.Storage;

/// <summary>
/// Which failures retrying can cure: storage or the network failing for a while (a 5xx, 408 or 429 answer,
/// a reset or refused connection, a time-out), as opposed to a request that will fail the same way every
/// time (a 400 for a key storage refuses, a rule broken before sending, a bug). Loops retry the first kind
/// for ever; the second kind is isolated and quarantined, never retried for ever.
/// </summary>
public static class TransientFailures
{
    /// <summary>Whether <paramref name="failure"/> may go away by itself.</summary>
    public static bool IsTransient(Exception failure) =>
        failure switch
        {
            RequestFailedException storage => storage.Status is 0 or 408 or 429 or >= 500,
            AggregateException many => many.InnerExceptions.Count > 0 && many.InnerExceptions.All(IsTransient),
            HttpRequestException or IOException or SocketException or TimeoutException => true,
            // A client time-out; a shutdown's cancellation is handled by the caller first.
            TaskCanceledException => true,
            _ => false,
        };

    /// <summary>
    /// Whether an activity's failure, as the orchestration sees it (the exception's type and its inner causes by
    /// name), may go away by itself: the storage client's retries running out on a 503, a reset connection
    /// underneath a read.
    /// </summary>
    public static bool IsTransient(TaskFailureDetails failure)
    {
        for (var cause = failure; cause is not null; cause = cause.InnerFailure)
        {
            if (
                cause.IsCausedBy<RequestFailedException>()
                || cause.IsCausedBy<HttpRequestException>()
                || cause.IsCausedBy<IOException>()
                || cause.IsCausedBy<SocketException>()
                || cause.IsCausedBy<TimeoutException>()
                || cause.IsCausedBy<TaskCanceledException>()
            )
            {
                return true;
            }
        }

        return false;
    }
}
