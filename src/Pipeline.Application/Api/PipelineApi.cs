using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Microsoft.DurableTask.Client;
using Pipeline.Application.Orchestration;
using Pipeline.Application.Serving;
using Pipeline.Application.Storage;
using Pipeline.Domain.Views;

namespace Pipeline.Application.Api;

/// <summary>
/// The HTTP API's handlers, independent of the host: each takes the route values and query strings as
/// strings and returns an <see cref="ApiResponse"/>. The dev host and the Functions app only adapt.
/// </summary>
public sealed partial class PipelineApi(ViewQueryService queries, PipelineStore store, Batch.RecomputeService recomputes, Versions.VersionService versions, Versions.ShadowRecorder shadows, Versions.VersionDropper dropper, Audit.AuditStore audits, Microsoft.Extensions.Options.IOptions<Configuration.PipelineOptions> options, Time.PipelineClock clock, StorageDescription? storage = null)
{
    private const int DefaultPageSize = 50;

    /// <summary>
    /// <c>POST /api/events</c>: a JSON array of events or NDJSON. 202 with the counts once the publisher
    /// has them; 400 for a body that is neither, with nothing published; 413 over the size limit; 503 with
    /// Retry-After when the publisher is full.
    /// </summary>
    public static async Task<ApiResponse> PublishAsync(Ingest.IEventPublisher publisher, Stream body, long? contentLength, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(publisher);
        ArgumentNullException.ThrowIfNull(body);
        var (limit, setting) = publisher.MaxRequestBytes;
        if (contentLength > limit)
        {
            return ApiResponse.Error(413, $"the body is {contentLength} bytes; the limit is {limit} ({setting})");
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return ApiResponse.Error(413, $"the body is over {limit} bytes ({setting})");
            }

            buffer.Write(chunk, 0, read);
        }

        if (!EventBodySplitter.TrySplit(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), out var events, out var error))
        {
            return ApiResponse.Error(400, error);
        }

        var outcome = await publisher.PublishAsync(events, cancellationToken).ConfigureAwait(false);
        return outcome.RetryAfter is { } delay
            ? new ApiResponse(503, new ApiError("the ingest queues are full; retry after the delay in Retry-After"), new Dictionary<string, string> { ["Retry-After"] = Math.Max(1, (int)Math.Ceiling(delay.TotalSeconds)).ToString(CultureInfo.InvariantCulture) })
            : new ApiResponse(202, new { accepted = outcome.Accepted, quarantined = outcome.Quarantined });
    }

    /// <summary>Whether a request carries the admin key (<c>x-functions-key</c> header or <c>code</c> query value).</summary>
    public bool IsAdmin(string? headerKey, string? codeKey)
    {
        var expected = options.Value.AdminKey;
        var given = string.IsNullOrEmpty(headerKey) ? codeKey : headerKey;
        return !string.IsNullOrEmpty(expected) && given is not null
            && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(given), System.Text.Encoding.UTF8.GetBytes(expected));
    }

    /// <summary>The answer to an admin route without a valid key.</summary>
    public ApiResponse Unauthorized() => string.IsNullOrEmpty(options.Value.AdminKey)
        ? ApiResponse.Error(403, "admin routes are disabled: no admin key is configured (Pipeline:AdminKey)")
        : ApiResponse.Error(401, "this route needs the admin key in the x-functions-key header or the code query parameter");

    /// <summary><c>POST /api/recompute/{name}?cutoff=E&amp;version=N</c>: 202 with the operation.</summary>
    public async Task<ApiResponse> StartRecomputeAsync(DurableTaskClient orchestrations, string name, string? cutoff, string? version, CancellationToken cancellationToken = default)
    {
        if (!TryParseVersion(version, out var pinned, out var badVersion))
        {
            return badVersion!;
        }

        var (view, missing) = await ResolveAsync(name, pinned, null, cancellationToken).ConfigureAwait(false);
        if (view is null)
        {
            return missing!;
        }

        long? requested = null;
        if (cutoff is not null)
        {
            if (!long.TryParse(cutoff, NumberStyles.None, CultureInfo.InvariantCulture, out var c))
            {
                return ApiResponse.Error(400, $"cutoff '{cutoff}' is not an epoch number");
            }

            requested = c;
        }

        var (operation, started, refusal) = await recomputes.StartAsync(orchestrations, view, requested, cancellationToken: cancellationToken).ConfigureAwait(false);
        return refusal is not null
            ? ApiResponse.Error(refusal.Status, refusal.Message)
            : new ApiResponse(202, new { operationId = operation!.InstanceId, started, state = operation.State, statusUri = $"/api/operations/{operation.InstanceId}" });
    }

    /// <summary><c>GET /api/operations/{id}</c>: status, progress, timings and errors.</summary>
    public async Task<ApiResponse> GetOperationAsync(DurableTaskClient orchestrations, string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(orchestrations);
        var status = await PipelineOperations.GetAsync(orchestrations, id, cancellationToken).ConfigureAwait(false);
        return status is null ? ApiResponse.Error(404, $"there is no operation '{id}'") : ApiResponse.Ok(OperationReport.From(status, clock.UtcNow));
    }

    /// <summary>
    /// <c>GET /api/views/{name}?key=K</c> or <c>?from=A&amp;to=B</c>, optionally <c>&amp;version=N</c>; without a
    /// version, the view's routing picks one by <paramref name="callerId"/> (sticky).
    /// </summary>
    public async Task<ApiResponse> GetViewAsync(string name, string? key, string? from, string? to, string? version, string? callerId = null, CancellationToken cancellationToken = default)
    {
        if (!TryParseVersion(version, out var pinned, out var badVersion))
        {
            return badVersion!;
        }

        var (view, missing) = await ResolveAsync(name, pinned, callerId, cancellationToken).ConfigureAwait(false);
        if (view is null)
        {
            return missing!;
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
            if (pinned is null)
            {
                await CompareWithShadowAsync(view, parsedKey, answer, cancellationToken).ConfigureAwait(false);
            }

            return ApiResponse.Ok(ViewAnswer.From(answer, view.Window, await versions.IsCaughtUpRecentlyAsync(view, cancellationToken).ConfigureAwait(false)));
        }

        if (from is null || to is null)
        {
            return ApiResponse.Error(400, $"give key=K, or from=A&to=B; view '{view.Name}' uses keys like {view.KeyFormat}");
        }

        if (!view.TryParseRangeEnd(from, out var first, out var fromError))
        {
            return ApiResponse.Error(400, $"from: {fromError}");
        }

        if (!view.TryParseRangeEnd(to, out var last, out var toError))
        {
            return ApiResponse.Error(400, $"to: {toError}");
        }

        var windows = (last.WindowStart - first.WindowStart) / view.Window.Length();
        if (windows < 0 || !string.Equals(first.Dimension, last.Dimension, StringComparison.Ordinal))
        {
            return ApiResponse.Error(400, "the range must go forward in time, with the same dimension at both ends (or none: every dimension)");
        }

        if (windows >= ViewQueryService.MaxRangeWindows)
        {
            return ApiResponse.Error(400, $"a range may span at most {ViewQueryService.MaxRangeWindows} windows; this one spans {windows + 1}");
        }

        var answers = await queries.QueryRangeAsync(view, first, last, cancellationToken).ConfigureAwait(false);
        var caughtUp = await versions.IsCaughtUpRecentlyAsync(view, cancellationToken).ConfigureAwait(false);
        return ApiResponse.Ok(new RangeAnswer(view.Name, from, to, [.. answers.Select(a => ViewAnswer.From(a, view.Window, caughtUp))]));
    }

    /// <summary><c>GET /api/quarantine?pageSize=N&amp;continuation=C</c>: quarantined events with their reasons, oldest partition and position first.</summary>
    public async Task<ApiResponse> ListQuarantineAsync(string? continuation, string? pageSize, CancellationToken cancellationToken = default)
    {
        var size = DefaultPageSize;
        if (!string.IsNullOrEmpty(pageSize) && (!int.TryParse(pageSize, NumberStyles.None, CultureInfo.InvariantCulture, out size) || size is < 1 or > QuarantineReader.MaxPageSize))
        {
            return ApiResponse.Error(400, $"pageSize must be a whole number from 1 to {QuarantineReader.MaxPageSize}");
        }

        return ApiResponse.Ok(await QuarantineReader.ListAsync(store, continuation, size, cancellationToken).ConfigureAwait(false));
    }

    /// <summary><c>GET /api/quarantine/{id}</c>: one quarantined event with its whole payload.</summary>
    public async Task<ApiResponse> GetQuarantinedAsync(string id, CancellationToken cancellationToken = default) =>
        await QuarantineReader.GetAsync(store, id, cancellationToken).ConfigureAwait(false) is { } entry
            ? ApiResponse.Ok(entry)
            : ApiResponse.Error(404, $"there is no quarantined event '{id}' (ids are partition-sequence, as listings show them)");

    /// <summary><c>GET /health</c>: 200 when storage answers, 503 otherwise.</summary>
    public async Task<ApiResponse> HealthAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await store.Progress.QueryAsync<TableEntity>(maxPerPage: 1, cancellationToken: cancellationToken).AsPages().FirstAsync(cancellationToken).ConfigureAwait(false);
            return ApiResponse.Ok(new { status = "healthy", views = queries.Registry.Names.Count(), storage, storageRequests = Pipeline.Storage.StorageMetrics.Requests });
        }
        catch (RequestFailedException ex)
        {
            return ApiResponse.Error(503, $"storage is not answering: {ex.Status} {ex.ErrorCode}");
        }
    }
}
