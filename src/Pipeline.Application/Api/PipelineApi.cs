using System.Globalization;
using System.Text.Json;
using Azure;
using Pipeline.Application.Ingest;
using Pipeline.Application.Serving;
using Pipeline.Application.Storage;
using Pipeline.Domain.Views;

namespace Pipeline.Application.Api;

/// <summary>
/// The HTTP API's handlers, independent of the host: each takes the route values and query strings as
/// strings and returns an <see cref="ApiResponse"/>. The dev host and the Functions app only adapt.
/// </summary>
public sealed class PipelineApi(ViewQueryService queries, PipelineStore store)
{
    private const int DefaultPageSize = 50;
    private const int MaxPageSize = 200;

    /// <summary><c>GET /api/views</c>: every view, its versions and the serving version.</summary>
    public ApiResponse ListViews() => ApiResponse.Ok(queries.Registry.Names.Select(name =>
    {
        var versions = queries.Registry.Versions(name);
        return new ViewInfo(name, versions[^1].Version, null, [.. versions.Select(v => new ViewVersionInfo(
            v.Version, v.Aggregation.Description, v.Filter.Description, v.KeyFormat, v.Description,
            v == versions[^1] ? "serving (speed layer)" : "speed layer only"))]);
    }).ToList());

    /// <summary><c>GET /api/views/{name}?key=K</c> or <c>?from=A&amp;to=B</c>, optionally <c>&amp;version=N</c>.</summary>
    public async Task<ApiResponse> GetViewAsync(string name, string? key, string? from, string? to, string? version, CancellationToken cancellationToken = default)
    {
        int? pinned = null;
        if (!string.IsNullOrEmpty(version))
        {
            if (!int.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                return ApiResponse.Error(400, $"version '{version}' is not a number");
            }

            pinned = parsed;
        }

        if (!queries.Registry.TryGet(name, pinned, out var view))
        {
            return queries.Registry.Versions(name).Count == 0
                ? ApiResponse.Error(404, $"there is no view '{name}'; views: {string.Join(", ", queries.Registry.Names)}")
                : ApiResponse.Error(404, $"view '{name}' has no version {pinned}");
        }

        if (key is not null)
        {
            if (from is not null || to is not null)
            {
                return ApiResponse.Error(400, "ask for either key=K or from=A&to=B, not both");
            }

            if (!view.TryParseKey(key, out var parsedKey, out var error))
            {
                return ApiResponse.Error(400, error);
            }

            var answer = await queries.QueryKeyAsync(view, parsedKey, cancellationToken).ConfigureAwait(false);
            return ApiResponse.Ok(ViewAnswer.From(answer, view.Window));
        }

        if (from is null || to is null)
        {
            return ApiResponse.Error(400, $"give key=K, or from=A&to=B; view '{view.Name}' uses keys like {view.KeyFormat}");
        }

        if (!view.TryParseKey(from, out var first, out var fromError))
        {
            return ApiResponse.Error(400, $"from: {fromError}");
        }

        if (!view.TryParseKey(to, out var last, out var toError))
        {
            return ApiResponse.Error(400, $"to: {toError}");
        }

        var windows = (last.WindowStart - first.WindowStart) / view.Window.Length();
        if (windows < 0 || !string.Equals(first.Dimension, last.Dimension, StringComparison.Ordinal))
        {
            return ApiResponse.Error(400, "the range must go forward in time, with the same dimension at both ends");
        }

        if (windows >= ViewQueryService.MaxRangeWindows)
        {
            return ApiResponse.Error(400, $"a range may span at most {ViewQueryService.MaxRangeWindows} windows; this one spans {windows + 1}");
        }

        var answers = await queries.QueryRangeAsync(view, first, last, cancellationToken).ConfigureAwait(false);
        return ApiResponse.Ok(new RangeAnswer(view.Name, from, to, [.. answers.Select(a => ViewAnswer.From(a, view.Window))]));
    }

    /// <summary><c>GET /api/quarantine?pageSize=N&amp;continuation=C</c>: quarantined events with their reasons, oldest partition and position first.</summary>
    public async Task<ApiResponse> ListQuarantineAsync(string? continuation, string? pageSize, CancellationToken cancellationToken = default)
    {
        var size = DefaultPageSize;
        if (!string.IsNullOrEmpty(pageSize) && (!int.TryParse(pageSize, NumberStyles.None, CultureInfo.InvariantCulture, out size) || size is < 1 or > MaxPageSize))
        {
            return ApiResponse.Error(400, $"pageSize must be 1 to {MaxPageSize}");
        }

        await foreach (var page in store.Quarantine.GetBlobsAsync(cancellationToken: cancellationToken).AsPages(continuation, size).ConfigureAwait(false))
        {
            var items = await Task.WhenAll(page.Values.Select(async blob =>
            {
                var content = await store.Quarantine.GetBlobClient(blob.Name).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
                return JsonSerializer.Deserialize<QuarantinedEvent>(content.Value.ToMemory().Span, ApiJson.Options)!;
            })).ConfigureAwait(false);
            return ApiResponse.Ok(new QuarantinePage(items, page.ContinuationToken));
        }

        return ApiResponse.Ok(new QuarantinePage([], null));
    }

    /// <summary><c>GET /health</c>: 200 when storage answers, 503 otherwise.</summary>
    public async Task<ApiResponse> HealthAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await store.Progress.QueryAsync(maxPerPage: 1, cancellationToken: cancellationToken).AsPages().FirstAsync(cancellationToken).ConfigureAwait(false);
            return ApiResponse.Ok(new { status = "healthy", views = queries.Registry.Names.Count(), storageRequests = Pipeline.Storage.Core.StorageMetrics.Requests });
        }
        catch (RequestFailedException ex)
        {
            return ApiResponse.Error(503, $"storage is not answering: {ex.Status} {ex.ErrorCode}");
        }
    }
}
