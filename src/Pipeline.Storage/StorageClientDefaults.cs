using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Blobs;

namespace Pipeline.Storage;

/// <summary>
/// The client options every Blob and Table client of the pipeline uses. Set explicitly because the SDK's
/// defaults differ between the two (the blob client retries 5 times, the table client 3) and its
/// 100-second network timeout is long for requests that normally take milliseconds. Every attempt is
/// counted by <see cref="StorageMetrics"/>.
/// </summary>
public static class StorageClientDefaults
{
    /// <summary>Retries after a failed attempt (408, 429, 5xx or a network error), with exponential back-off.</summary>
    public const int MaxRetries = 4;

    /// <summary>The first back-off delay; it doubles with each retry, with jitter.</summary>
    public static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(400);

    /// <summary>The longest back-off delay.</summary>
    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(10);

    /// <summary>How long one attempt may wait for the service (to answer, or for the next bytes of a body).</summary>
    public static readonly TimeSpan NetworkTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Options for Blob clients.</summary>
    public static BlobClientOptions Blobs() => Configure(new BlobClientOptions());

    /// <summary>Options for Table clients.</summary>
    public static TableClientOptions Tables() => Configure(new TableClientOptions());

    /// <summary>Applies the pipeline's retry policy, timeout and request counting to any Azure SDK client
    /// options.</summary>
    public static T Configure<T>(T options)
        where T : ClientOptions
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Retry.Mode = RetryMode.Exponential;
        options.Retry.MaxRetries = MaxRetries;
        options.Retry.Delay = RetryDelay;
        options.Retry.MaxDelay = MaxRetryDelay;
        options.Retry.NetworkTimeout = NetworkTimeout;
        options.AddPolicy(StorageMetrics.Policy, HttpPipelinePosition.PerRetry);
        return options;
    }
}
