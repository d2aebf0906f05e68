using System.Diagnostics.Metrics;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Pipeline.Storage;

/// <summary>
/// Counts storage requests (every attempt, retries included) in this process, as the
/// <c>pipeline.storage.requests</c> metric of the <c>Pipeline.Storage</c> meter and as a running total,
/// which the hosts report so that the cost of a workload can be read in requests per event.
/// </summary>
public static class StorageMetrics
{
    private static readonly Meter Meter = new("Pipeline.Storage");
    private static readonly Counter<long> RequestCounter = Meter.CreateCounter<long>(
        "pipeline.storage.requests",
        description: "Storage requests sent, retries included"
    );
    private static long _requests;

    /// <summary>Requests sent by this process so far.</summary>
    public static long Requests => Interlocked.Read(ref _requests);

    /// <summary>The policy that counts; added <see cref="HttpPipelinePosition.PerRetry"/>, so each attempt counts
    /// once.</summary>
    public static HttpPipelinePolicy Policy { get; } = new CountingPolicy();

    private sealed class CountingPolicy : HttpPipelineSynchronousPolicy
    {
        public override void OnSendingRequest(HttpMessage message)
        {
            Interlocked.Increment(ref _requests);
            RequestCounter.Add(1);
        }
    }
}
