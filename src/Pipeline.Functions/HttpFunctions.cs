using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Pipeline.Http;

namespace Pipeline.Functions;

/// <summary>
/// The HTTP API: the routes and methods of <c>ApiRoutes</c> (host.json sets an empty route prefix, so the
/// templates are the whole paths), each handed to the endpoint the dev host uses. The Functions host checks
/// the keys: publishing takes a function key, the admin routes the admin (master) key, which a publisher's
/// function key is not.
/// </summary>
public sealed class HttpFunctions(PipelineEndpoints endpoints)
{
    [Function("publish-events")]
    public async Task<IActionResult> PublishEventsAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "api/events")] HttpRequest request
    ) => await endpoints.PublishEventsAsync(request);

    [Function("list-views")]
    public async Task<IActionResult> ListViewsAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/views")] HttpRequest request,
        [DurableClient] DurableTaskClient client
    ) => await endpoints.ListViewsAsync(request, client);

    [Function("get-view")]
    public async Task<IActionResult> GetViewAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/views/{name}")] HttpRequest request,
        string name
    ) => await endpoints.GetViewAsync(request, name);

    [Function("list-quarantine")]
    public async Task<IActionResult> ListQuarantineAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "api/quarantine")] HttpRequest request
    ) => await endpoints.ListQuarantineAsync(request);

    [Function("get-quarantined")]
    public async Task<IActionResult> GetQuarantinedAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "api/quarantine/{id}")] HttpRequest request,
        string id
    ) => await endpoints.GetQuarantinedAsync(request, id);

    [Function("start-recompute")]
    public async Task<IActionResult> StartRecomputeAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = "api/recompute/{name}")] HttpRequest request,
        string name,
        [DurableClient] DurableTaskClient client
    ) => await endpoints.StartRecomputeAsync(request, name, client);

    [Function("list-operations")]
    public async Task<IActionResult> ListOperationsAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/operations")] HttpRequest request,
        [DurableClient] DurableTaskClient client
    ) => await endpoints.ListOperationsAsync(request, client);

    [Function("get-operation")]
    public async Task<IActionResult> GetOperationAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/operations/{id}")] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient client
    ) => await endpoints.GetOperationAsync(request, id, client);

    [Function("start-replay")]
    public async Task<IActionResult> StartReplayAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = "api/replay/{name}")] HttpRequest request,
        string name,
        [DurableClient] DurableTaskClient client
    ) => await endpoints.StartReplayAsync(request, name, client);

    [Function("cancel-operation")]
    public async Task<IActionResult> CancelOperationAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = "api/operations/{id}/cancel")] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient client
    ) => await endpoints.CancelOperationAsync(request, id, client);

    [Function("set-routing")]
    public async Task<IActionResult> SetRoutingAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "put", Route = "api/views/{name}/routing")] HttpRequest request,
        string name
    ) => await endpoints.SetRoutingAsync(request, name);

    [Function("list-shadow-differences")]
    public async Task<IActionResult> ListShadowDifferencesAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/views/{name}/shadow")] HttpRequest request,
        string name
    ) => await endpoints.ListShadowDifferencesAsync(request, name);

    [Function("get-version-spec")]
    public async Task<IActionResult> GetVersionSpecAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/views/{name}/versions/{version}")]
            HttpRequest request,
        string name,
        string version
    ) => await endpoints.GetVersionSpecAsync(request, name, version);

    [Function("register-version")]
    public async Task<IActionResult> RegisterVersionAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "put", Route = "api/views/{name}/versions/{version}")]
            HttpRequest request,
        string name,
        string version
    ) => await endpoints.RegisterVersionAsync(request, name, version);

    [Function("drop-version")]
    public async Task<IActionResult> DropVersionAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "delete", Route = "api/views/{name}/versions/{version}")]
            HttpRequest request,
        string name,
        string version,
        [DurableClient] DurableTaskClient client
    ) => await endpoints.DropVersionAsync(request, name, version, client);

    [Function("start-audit")]
    public async Task<IActionResult> StartAuditAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = "api/audit/{name}")] HttpRequest request,
        string name,
        [DurableClient] DurableTaskClient client
    ) => await endpoints.StartAuditAsync(request, name, client);

    [Function("list-audits")]
    public async Task<IActionResult> ListAuditsAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/audits/{name}")] HttpRequest request,
        string name
    ) => await endpoints.ListAuditsAsync(request, name);

    [Function("get-ingest")]
    public async Task<IActionResult> GetIngestAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/ingest")] HttpRequest request
    ) => await endpoints.GetIngestAsync(request);

    [Function("console")]
    [System.Diagnostics.CodeAnalysis.SuppressMessage(
        "Performance",
        "CA1822",
        Justification = "Functions are instance members, as the others."
    )]
    public IActionResult Console(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "{*file}")] HttpRequest request,
        string? file
    ) => (IActionResult)ConsoleFiles.Serve(request.Method, file);

    [Function("health")]
    public async Task<IActionResult> HealthAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request
    ) => await endpoints.HealthAsync(request);
}
