using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;

namespace Pipeline.Http;

/// <summary>Who may call a route.</summary>
public enum RouteAccess
{
    /// <summary>Anyone (reading answers and states).</summary>
    Public,

    /// <summary>
    /// Publishers: in Azure a function key (the route publishes with the app's identity); on the dev host,
    /// which listens on loopback only, anyone.
    /// </summary>
    Publisher,

    /// <summary>
    /// Operators: the admin key on both hosts (<c>DevHost:AdminKey</c> locally, the Functions host's admin key,
    /// its master key, in Azure), which a publisher's key is not.
    /// </summary>
    Admin,
}

/// <summary>One route of the HTTP API.</summary>
/// <param name="Method">The HTTP method.</param>
/// <param name="Template">The route template, without a leading slash.</param>
/// <param name="Access">Who may call it.</param>
/// <param name="Handler">
/// The endpoint it calls, as a delegate whose parameters a host binds (route values by name, the request,
/// <see cref="PipelineEndpoints"/> and the Durable Task client from its services).
/// </param>
public sealed record ApiRoute(string Method, string Template, RouteAccess Access, Delegate Handler)
{
    /// <summary>Whether it requires the admin key.</summary>
    public bool Admin => Access == RouteAccess.Admin;

    /// <summary>What it does, in one line (the OpenAPI document's summary).</summary>
    public string Summary { get; init; } = string.Empty;

    /// <summary>Its query parameters: name and meaning.</summary>
    public IReadOnlyList<(string Name, string Meaning)> Query { get; init; } = [];

    /// <summary>Whether <paramref name="path"/> (without query) is this route's path, whatever the method.</summary>
    public bool MatchesPath(string path)
    {
        var segments = (path ?? string.Empty).Trim('/').Split('/');
        var template = Template.Split('/');
        return !Template.Contains('*', StringComparison.Ordinal)
            && template.Length == segments.Length
            && template
                .Zip(segments)
                .All(pair =>
                    pair.First.StartsWith('{')
                    || string.Equals(pair.First, pair.Second, StringComparison.OrdinalIgnoreCase)
                );
    }
}

/// <summary>The HTTP API's routes, one table that every host maps and the tests check both hosts against.</summary>
public static class ApiRoutes
{
    /// <summary><c>POST /api/events</c>: publish events (a function key in Azure).</summary>
    public static ApiRoute PublishEvents { get; } =
        new(
            "POST",
            "api/events",
            RouteAccess.Publisher,
            (HttpRequest request, PipelineEndpoints endpoints) => endpoints.PublishEventsAsync(request)
        )
        {
            Summary = "Publish events: a JSON array of CloudEvents, or NDJSON; 202 once durable and applied (dev host)",
        };

    /// <summary><c>GET /api/views</c>: the views and their versions.</summary>
    public static ApiRoute ListViews { get; } =
        new(
            "GET",
            "api/views",
            RouteAccess.Public,
            (HttpRequest request, PipelineEndpoints endpoints, DurableTaskClient orchestrations) =>
                endpoints.ListViewsAsync(request, orchestrations)
        )
        {
            Summary = "Every view with its routing and versions (state, batch cutoff, caught up)",
        };

    /// <summary><c>GET /api/views/{name}</c>: an answer.</summary>
    public static ApiRoute GetView { get; } =
        new(
            "GET",
            "api/views/{name}",
            RouteAccess.Public,
            (HttpRequest request, string name, PipelineEndpoints endpoints) => endpoints.GetViewAsync(request, name)
        )
        {
            Summary = "One key's answer, or every window of a range, merged from batch and speed, with provenance",
            Query =
            [
                ("key", "a key, e.g. 2026-11-21 or 2026-11-21T14|/pricing"),
                ("from", "the first key of a range"),
                ("to", "the last key of a range (at most 366 windows; ends without a dimension: every dimension)"),
                ("version", "pin a version (from 1); without it the routing chooses, sticky per x-pipeline-client"),
            ],
        };

    /// <summary><c>GET /api/quarantine</c>: quarantined events, payloads truncated (admin: they are other people's
    /// data).</summary>
    public static ApiRoute ListQuarantine { get; } =
        new(
            "GET",
            "api/quarantine",
            RouteAccess.Admin,
            (HttpRequest request, PipelineEndpoints endpoints) => endpoints.ListQuarantineAsync(request)
        )
        {
            Summary = "Quarantined events with their reasons, payloads cut at 4,096 bytes (admin)",
            Query = [("pageSize", "1-200, default 50"), ("continuation", "from the previous page")],
        };

    /// <summary><c>GET /api/quarantine/{id}</c>: one quarantined event, whole (admin).</summary>
    public static ApiRoute GetQuarantined { get; } =
        new(
            "GET",
            "api/quarantine/{id}",
            RouteAccess.Admin,
            (HttpRequest request, string id, PipelineEndpoints endpoints) => endpoints.GetQuarantinedAsync(request, id)
        )
        {
            Summary = "One quarantined event with its whole payload (admin)",
        };

    /// <summary><c>POST /api/recompute/{name}</c>: start a recompute (admin).</summary>
    public static ApiRoute Recompute { get; } =
        new(
            "POST",
            "api/recompute/{name}",
            RouteAccess.Admin,
            (HttpRequest request, string name, PipelineEndpoints endpoints, DurableTaskClient orchestrations) =>
                endpoints.StartRecomputeAsync(request, name, orchestrations)
        )
        {
            Summary = "Start the recompute of a view version's batch view (admin)",
            Query =
            [
                ("version", "the version (default: the serving one)"),
                ("cutoff", "the cutoff epoch (default: the newest sealed)"),
            ],
        };

    /// <summary><c>GET /api/operations</c>: recent operations, newest first, filtered and paged.</summary>
    public static ApiRoute ListOperations { get; } =
        new(
            "GET",
            "api/operations",
            RouteAccess.Public,
            (HttpRequest request, PipelineEndpoints endpoints, DurableTaskClient orchestrations) =>
                endpoints.ListOperationsAsync(request, orchestrations)
        )
        {
            Summary = "Recent recomputes, replays and audits, newest first, with progress",
            Query =
            [
                ("view", "only this view"),
                ("kind", "recompute, replay or audit"),
                ("state", "running, completed, failed or canceled"),
                ("pageSize", "1-100, default 20"),
                ("continuation", "from the previous page"),
            ],
        };

    /// <summary><c>GET /api/operations/{id}</c>: an operation's status and progress.</summary>
    public static ApiRoute GetOperation { get; } =
        new(
            "GET",
            "api/operations/{id}",
            RouteAccess.Public,
            (HttpRequest request, string id, PipelineEndpoints endpoints, DurableTaskClient orchestrations) =>
                endpoints.GetOperationAsync(request, id, orchestrations)
        )
        {
            Summary = "An operation's state, progress, events/s, time left, output and error",
        };

    /// <summary><c>POST /api/replay/{name}?version=N</c>: rebuild a version from the whole log (admin).</summary>
    public static ApiRoute Replay { get; } =
        new(
            "POST",
            "api/replay/{name}",
            RouteAccess.Admin,
            (HttpRequest request, string name, PipelineEndpoints endpoints, DurableTaskClient orchestrations) =>
                endpoints.StartReplayAsync(request, name, orchestrations)
        )
        {
            Summary = "Rebuild a version from the whole raw log while the serving version serves (admin)",
            Query = [("version", "the version to replay")],
        };

    /// <summary><c>POST /api/operations/{id}/cancel</c>: stop an operation (admin).</summary>
    public static ApiRoute CancelOperation { get; } =
        new(
            "POST",
            "api/operations/{id}/cancel",
            RouteAccess.Admin,
            (HttpRequest request, string id, PipelineEndpoints endpoints, DurableTaskClient orchestrations) =>
                endpoints.CancelOperationAsync(request, id, orchestrations)
        )
        {
            Summary = "Stop a running operation; it commits nothing (admin)",
        };

    /// <summary><c>PUT /api/views/{name}/routing?weights=1:90,2:10&amp;shadow=N</c>: move readers between versions
    /// (admin).</summary>
    public static ApiRoute SetRouting { get; } =
        new(
            "PUT",
            "api/views/{name}/routing",
            RouteAccess.Admin,
            (HttpRequest request, string name, PipelineEndpoints endpoints) => endpoints.SetRoutingAsync(request, name)
        )
        {
            Summary = "Move readers between versions in one guarded write (admin)",
            Query =
            [
                ("weights", "percent per version, e.g. 1:90,2:10"),
                ("shadow", "a version computed beside every served answer"),
                ("audited", "true: only versions with a clean audit at their cutoff may gain weight"),
            ],
        };

    /// <summary><c>GET /api/views/{name}/shadow</c>: keys where the shadow version answered differently.</summary>
    public static ApiRoute ListShadowDifferences { get; } =
        new(
            "GET",
            "api/views/{name}/shadow",
            RouteAccess.Public,
            (HttpRequest request, string name, PipelineEndpoints endpoints) =>
                endpoints.ListShadowDifferencesAsync(request, name)
        )
        {
            Summary = "The newest keys where the shadow version answered differently",
            Query = [("max", "1-1000, default 100")],
        };

    /// <summary><c>GET /api/views/{name}/versions/{version}</c>: a version's spec, its hash and registration
    /// epoch.</summary>
    public static ApiRoute GetVersionSpec { get; } =
        new(
            "GET",
            "api/views/{name}/versions/{version}",
            RouteAccess.Public,
            (HttpRequest request, string name, string version, PipelineEndpoints endpoints) =>
                endpoints.GetVersionSpecAsync(request, name, version)
        )
        {
            Summary = "A version's spec as declared, its SHA-256 and its registration epoch",
        };

    /// <summary><c>PUT /api/views/{name}/versions/{version}</c>: register a version's spec (admin).</summary>
    public static ApiRoute RegisterVersion { get; } =
        new(
            "PUT",
            "api/views/{name}/versions/{version}",
            RouteAccess.Admin,
            (HttpRequest request, string name, string version, PipelineEndpoints endpoints) =>
                endpoints.RegisterVersionAsync(request, name, version)
        )
        {
            Summary =
                "Register a version's spec while the pipeline runs: 201 with its registration epoch and SHA-256, 200 "
                + "for the same content again, 409 for other content or a version not above every one registered, "
                + "400 with every problem at its JSON path (admin)",
        };

    /// <summary><c>DELETE /api/views/{name}/versions/{version}</c>: drop a version no reader uses (admin).</summary>
    public static ApiRoute DropVersion { get; } =
        new(
            "DELETE",
            "api/views/{name}/versions/{version}",
            RouteAccess.Admin,
            (
                HttpRequest request,
                string name,
                string version,
                PipelineEndpoints endpoints,
                DurableTaskClient orchestrations
            ) => endpoints.DropVersionAsync(request, name, version, orchestrations)
        )
        {
            Summary = "Drop a version no reader uses: its rows, pointer and intermediate blobs (admin)",
        };

    /// <summary><c>POST /api/audit/{name}?version=N&amp;from=A&amp;to=B&amp;sample=K</c>: audit a version against the
    /// raw log (admin).</summary>
    public static ApiRoute StartAudit { get; } =
        new(
            "POST",
            "api/audit/{name}",
            RouteAccess.Admin,
            (HttpRequest request, string name, PipelineEndpoints endpoints, DurableTaskClient orchestrations) =>
                endpoints.StartAuditAsync(request, name, orchestrations)
        )
        {
            Summary = "Audit a version against the raw log (admin)",
            Query =
            [
                ("version", "default: the serving one"),
                ("from", "first key of a range"),
                ("to", "last key of a range"),
                ("sample", "check K keys"),
            ],
        };

    /// <summary><c>GET /api/audits/{name}?version=N&amp;max=M</c>: the newest audit reports.</summary>
    public static ApiRoute ListAudits { get; } =
        new(
            "GET",
            "api/audits/{name}",
            RouteAccess.Public,
            (HttpRequest request, string name, PipelineEndpoints endpoints) => endpoints.ListAuditsAsync(request, name)
        )
        {
            Summary = "The newest audit reports",
            Query = [("version", "default: every version"), ("max", "1-100, default 20")],
        };

    /// <summary><c>GET /api/ingest</c>: partition positions and lag, the sealed boundary, recent rates and quarantine
    /// reasons.</summary>
    public static ApiRoute GetIngest { get; } =
        new(
            "GET",
            "api/ingest",
            RouteAccess.Public,
            (HttpRequest request, PipelineEndpoints endpoints) => endpoints.GetIngestAsync(request)
        )
        {
            Summary = "Partition positions and lag, the sealed boundary, recent rates and quarantine reasons",
        };

    /// <summary><c>GET /</c> and its files: the console, a page over the public routes (any other path: 404, or 405 for
    /// an API path).</summary>
    public static ApiRoute Console { get; } =
        new(
            "GET",
            "{*file}",
            RouteAccess.Public,
            (HttpRequest request, string? file) => ConsoleFiles.Serve(request.Method, file)
        )
        {
            Summary = "The console (a page over the public routes) and its files",
        };

    /// <summary><c>GET /health</c>: liveness and storage reachability.</summary>
    public static ApiRoute Health { get; } =
        new(
            "GET",
            "health",
            RouteAccess.Public,
            (HttpRequest request, PipelineEndpoints endpoints) => endpoints.HealthAsync(request)
        )
        {
            Summary = "200 when storage answers, with the storage in use; 503 when it does not",
        };

    /// <summary>Every route.</summary>
    public static IReadOnlyList<ApiRoute> All { get; } =
    [
        PublishEvents,
        ListViews,
        GetView,
        ListQuarantine,
        GetQuarantined,
        Recompute,
        ListOperations,
        GetOperation,
        Replay,
        CancelOperation,
        SetRouting,
        ListShadowDifferences,
        GetVersionSpec,
        RegisterVersion,
        DropVersion,
        StartAudit,
        ListAudits,
        GetIngest,
        Health,
        Console,
    ];

    /// <summary>The methods the API's routes (not the console) take at <paramref name="path"/>; empty when none has
    /// it.</summary>
    public static IReadOnlyList<string> MethodsAt(string path) =>
        [.. All.Where(r => r != Console && r.MatchesPath(path)).Select(r => r.Method).Distinct(StringComparer.Ordinal)];
}
