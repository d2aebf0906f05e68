using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Pipeline.Application.Outcomes;

namespace Pipeline.Application.Storage;

/// <summary>What <c>GET /health</c> shows.</summary>
/// <param name="Status">healthy.</param>
/// <param name="Views">How many views are registered.</param>
/// <param name="Storage">The storage in use.</param>
/// <param name="StorageRequests">Storage requests this process has sent (every attempt).</param>
public sealed record Health(string Status, int Views, StorageDescription? Storage, long StorageRequests);

/// <summary>Whether storage answers, within <see cref="Patience"/>: a health check must answer quickly either
/// way.</summary>
public sealed partial class StorageHealth(
    PipelineStore store,
    Domain.Views.ViewRegistry registry,
    ILogger<StorageHealth> logger,
    StorageDescription? storage = null
)
{
    /// <summary>How long storage may take to answer a health check.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(2);

    /// <summary>Healthy when one small query of storage answers in time; unavailable otherwise, saying why.</summary>
    public async Task<Outcome<Health>> CheckAsync(CancellationToken cancellationToken = default)
    {
        var outcome = await AskStorageAsync(cancellationToken).ConfigureAwait(false);
        if (!outcome.Succeeded)
        {
            LogUnhealthy(outcome.Problems[0]);
        }

        return outcome;
    }

    private async Task<Outcome<Health>> AskStorageAsync(CancellationToken cancellationToken)
    {
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        patience.CancelAfter(Patience);
        try
        {
            await store
                .Progress.QueryAsync<TableEntity>(maxPerPage: 1, cancellationToken: patience.Token)
                .AsPages()
                .FirstAsync(patience.Token)
                .ConfigureAwait(false);
            return Outcome<Health>.Ok(
                new Health("healthy", registry.Names.Count(), storage, Pipeline.Storage.StorageMetrics.Requests)
            );
        }
        catch (RequestFailedException ex)
        {
            return Outcome<Health>.Unavailable($"storage is not answering: {ex.Status} {ex.ErrorCode}", Patience);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Outcome<Health>.Unavailable(
                $"storage did not answer within {Patience.TotalSeconds:0} seconds",
                Patience
            );
        }
        catch (Exception ex) when (ex is HttpRequestException or AggregateException or IOException)
        {
            return Outcome<Health>.Unavailable($"storage is not reachable: {ex.Message}", Patience);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Health check: {Problem}")]
    private partial void LogUnhealthy(string problem);
}
