using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;
using Pipeline.Application.Api;
using Pipeline.Application.Ingest;

namespace Pipeline.Http;

/// <summary>
/// One method per route of <see cref="ApiRoutes"/>: each reads the request and calls
/// <see cref="PipelineApi"/>. Hosts only bind routes to these (and, on the dev host, check the admin key
/// that Functions' authorization level checks in Azure). The orchestration client is an argument because
/// in Azure it comes from the invocation's Durable client binding.
/// </summary>
public sealed class PipelineEndpoints(PipelineApi api, IEventPublisher publisher, ProgressStore progress, IngestMetrics metrics, IPartitionBacklog? backlog = null)
{
    /// <summary>An operation once asked for runs to its end, even if the client that asked hangs up.</summary>
    private static readonly CancellationToken StartsOutliveTheRequest = CancellationToken.None;

    /// <summary><c>POST /api/events</c>.</summary>
    public async Task<ApiResult> PublishEventsAsync(HttpRequest request) =>
        new(await PipelineApi.PublishAsync(publisher, Checked(request).Body, request.ContentLength, request.HttpContext.RequestAborted).ConfigureAwait(false));

    /// <summary><c>GET /api/views</c>.</summary>
    public async Task<ApiResult> ListViewsAsync(HttpRequest request, DurableTaskClient orchestrations) =>
        new(await api.ListViewsAsync(orchestrations, Checked(request).HttpContext.RequestAborted).ConfigureAwait(false));

    /// <summary><c>GET /api/views/{name}?key=K</c> or <c>?from=A&amp;to=B</c>, optionally <c>&amp;version=N</c>.</summary>
    public async Task<ApiResult> GetViewAsync(HttpRequest request, string name) =>
        new(await api.GetViewAsync(name, Query(request, "key"), Query(request, "from"), Query(request, "to"), Query(request, "version"), CallerId(request), request.HttpContext.RequestAborted).ConfigureAwait(false));

    /// <summary><c>GET /api/quarantine?pageSize=N&amp;continuation=C</c>.</summary>
    public async Task<ApiResult> ListQuarantineAsync(HttpRequest request) =>
        new(await api.ListQuarantineAsync(Query(request, "continuation"), Query(request, "pageSize"), request.HttpContext.RequestAborted).ConfigureAwait(false));

    /// <summary><c>GET /api/quarantine/{id}</c>.</summary>
    public async Task<ApiResult> GetQuarantinedAsync(HttpRequest request, string id) =>
        new(await api.GetQuarantinedAsync(id, Checked(request).HttpContext.RequestAborted).ConfigureAwait(false));

    /// <summary><c>POST /api/recompute/{name}?cutoff=E&amp;version=N</c> (admin).</summary>
    public async Task<ApiResult> StartRecomputeAsync(HttpRequest request, string name, DurableTaskClient orchestrations) =>
        new(await api.StartRecomputeAsync(orchestrations, name, Query(request, "cutoff"), Query(request, "version"), StartsOutliveTheRequest).ConfigureAwait(false));

    /// <summary><c>GET /api/operations/{id}</c>.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "Every route is an instance member, so that hosts call them alike.")]
    public async Task<ApiResult> GetOperationAsync(HttpRequest request, string id, DurableTaskClient orchestrations) =>
        new(await api.GetOperationAsync(orchestrations, id, Checked(request).HttpContext.RequestAborted).ConfigureAwait(false));

    /// <summary><c>POST /api/replay/{name}?version=N</c> (admin).</summary>
    public async Task<ApiResult> StartReplayAsync(HttpRequest request, string name, DurableTaskClient orchestrations) =>
        new(await api.StartReplayAsync(orchestrations, name, Query(request, "version"), StartsOutliveTheRequest).ConfigureAwait(false));

    /// <summary><c>POST /api/operations/{id}/cancel</c> (admin).</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "Every route is an instance member, so that hosts call them alike.")]
    public async Task<ApiResult> CancelOperationAsync(HttpRequest request, string id, DurableTaskClient orchestrations) =>
        new(await PipelineApi.CancelOperationAsync(orchestrations, id, Checked(request).HttpContext.RequestAborted).ConfigureAwait(false));

    /// <summary><c>PUT /api/views/{name}/routing?weights=1:90,2:10&amp;shadow=N</c> (admin).</summary>
    public async Task<ApiResult> SetRoutingAsync(HttpRequest request, string name) =>
        new(await api.SetRoutingAsync(name, Query(request, "weights"), Query(request, "shadow"), Query(request, "audited"), request.HttpContext.RequestAborted).ConfigureAwait(false));

    /// <summary><c>POST /api/audit/{name}?version=N&amp;from=A&amp;to=B&amp;sample=K</c> (admin).</summary>
    public async Task<ApiResult> StartAuditAsync(HttpRequest request, string name, DurableTaskClient orchestrations) =>
        new(await api.StartAuditAsync(orchestrations, name, Query(request, "version"), Query(request, "from"), Query(request, "to"), Query(request, "sample"), StartsOutliveTheRequest).ConfigureAwait(false));

    /// <summary><c>GET /api/audits/{name}?version=N&amp;max=M</c>.</summary>
    public async Task<ApiResult> ListAuditsAsync(HttpRequest request, string name) =>
        new(await api.ListAuditsAsync(name, Query(request, "version"), Query(request, "max"), request.HttpContext.RequestAborted).ConfigureAwait(false));

    /// <summary><c>DELETE /api/views/{name}/versions/{version}</c> (admin).</summary>
    public async Task<ApiResult> DropVersionAsync(HttpRequest request, string name, string version) =>
        new(await api.DropVersionAsync(name, version, Checked(request).HttpContext.RequestAborted).ConfigureAwait(false));

    /// <summary><c>GET /api/views/{name}/shadow?max=N</c>.</summary>
    public async Task<ApiResult> ListShadowDifferencesAsync(HttpRequest request, string name) =>
        new(await api.ListShadowDifferencesAsync(name, Query(request, "max"), request.HttpContext.RequestAborted).ConfigureAwait(false));

    /// <summary><c>GET /api/operations?view=V&amp;kind=K&amp;state=S&amp;pageSize=N&amp;continuation=C</c>.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "Every route is an instance member, so that hosts call them alike.")]
    public async Task<ApiResult> ListOperationsAsync(HttpRequest request, DurableTaskClient orchestrations) =>
        new(await api.ListOperationsAsync(orchestrations, Query(request, "view"), Query(request, "kind"), Query(request, "state"), Query(request, "pageSize"), Query(request, "continuation"), Checked(request).HttpContext.RequestAborted).ConfigureAwait(false));

    /// <summary><c>GET /api/ingest</c>.</summary>
    public async Task<ApiResult> GetIngestAsync(HttpRequest request) =>
        new(await api.GetIngestAsync(progress, metrics, backlog, Checked(request).HttpContext.RequestAborted).ConfigureAwait(false));

    /// <summary><c>GET /health</c>.</summary>
    public async Task<ApiResult> HealthAsync(HttpRequest request) =>
        new(await api.HealthAsync(Checked(request).HttpContext.RequestAborted).ConfigureAwait(false));

    /// <summary>Whether the request carries the admin key (the dev host's stand-in for Functions' function-level keys).</summary>
    public bool IsAdmin(HttpRequest request) => api.IsAdmin(Checked(request).Headers["x-functions-key"], Query(request, "code"));

    /// <summary>
    /// Refuses an admin request that a browser sent on behalf of another site (a form or script on any web
    /// page could otherwise use a key passed as <c>code=</c>): <c>Sec-Fetch-Site</c> other than same-origin or
    /// none, or an <c>Origin</c> other than this host. Tools (curl, the pipeline tool) send neither.
    /// </summary>
    public static ApiResult? RefuseCrossSite(HttpRequest request)
    {
        var headers = Checked(request).Headers;
        var site = headers["Sec-Fetch-Site"].ToString();
        var origin = headers.Origin.ToString();
        var crossSite = site.Length > 0 && site is not ("same-origin" or "none");
        var foreignOrigin = origin.Length > 0 && (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || !string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase));
        return crossSite || foreignOrigin
            ? new ApiResult(ApiResponse.Error(403, "admin routes refuse requests a browser sends from another site"))
            : null;
    }

    /// <summary>The answer to an admin route without the key.</summary>
    public ApiResult Unauthorized() => new(api.Unauthorized());

    /// <summary>Who is asking, for sticky routing between versions: the <c>x-pipeline-client</c> header.</summary>
    private static string? CallerId(HttpRequest request) =>
        Checked(request).Headers.TryGetValue("x-pipeline-client", out var values) ? values.ToString() : null;

    private static string? Query(HttpRequest request, string name) =>
        Checked(request).Query.TryGetValue(name, out var values) ? values.ToString() : null;

    private static HttpRequest Checked(HttpRequest request) => request ?? throw new ArgumentNullException(nameof(request));
}
