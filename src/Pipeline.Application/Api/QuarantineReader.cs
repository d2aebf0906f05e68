using System.Text.Json;
using Azure.Storage.Blobs.Models;
using Pipeline.Application.Ingest;
using Pipeline.Application.Storage;

namespace Pipeline.Application.Api;

/// <summary>Pages through quarantined events, in partition and sequence order.</summary>
public static class QuarantineReader
{
    /// <summary>One page of quarantined events.</summary>
    public static async Task<QuarantinePage> ListAsync(PipelineStore store, string? continuation, int pageSize, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        await foreach (var page in store.Quarantine.GetBlobsAsync(new GetBlobsOptions(), cancellationToken).AsPages(continuation, pageSize).ConfigureAwait(false))
        {
            var items = await Task.WhenAll(page.Values.Select(async blob =>
            {
                var content = await store.Quarantine.GetBlobClient(blob.Name).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
                return JsonSerializer.Deserialize<QuarantinedEvent>(content.Value.Content.ToMemory().Span, ApiJson.Options)!;
            })).ConfigureAwait(false);
            return new QuarantinePage(items, page.ContinuationToken);
        }

        return new QuarantinePage([], null);
    }
}
