namespace Pipeline.Application.Api;

/// <summary>One route of the HTTP API.</summary>
/// <param name="Method">The HTTP method.</param>
/// <param name="Template">The route template, without a leading slash.</param>
/// <param name="Admin">Whether it requires the admin key.</param>
public sealed record ApiRoute(string Method, string Template, bool Admin = false);

/// <summary>The HTTP API's routes, one table that every host maps.</summary>
public static class ApiRoutes
{
    /// <summary><c>POST /api/events</c>: publish events.</summary>
    public static ApiRoute PublishEvents { get; } = new("POST", "api/events");

    /// <summary><c>GET /api/views</c>: the views and their versions.</summary>
    public static ApiRoute ListViews { get; } = new("GET", "api/views");

    /// <summary><c>GET /api/views/{name}</c>: an answer.</summary>
    public static ApiRoute GetView { get; } = new("GET", "api/views/{name}");

    /// <summary><c>GET /api/quarantine</c>: quarantined events.</summary>
    public static ApiRoute ListQuarantine { get; } = new("GET", "api/quarantine");

    /// <summary><c>POST /api/recompute/{name}</c>: start a recompute (admin).</summary>
    public static ApiRoute Recompute { get; } = new("POST", "api/recompute/{name}", Admin: true);

    /// <summary><c>GET /api/operations/{id}</c>: an operation's status and progress.</summary>
    public static ApiRoute GetOperation { get; } = new("GET", "api/operations/{id}");

    /// <summary><c>POST /api/replay/{name}?version=N</c>: rebuild a version from the whole log (admin).</summary>
    public static ApiRoute Replay { get; } = new("POST", "api/replay/{name}", Admin: true);

    /// <summary><c>POST /api/operations/{id}/cancel</c>: stop an operation (admin).</summary>
    public static ApiRoute CancelOperation { get; } = new("POST", "api/operations/{id}/cancel", Admin: true);

    /// <summary><c>PUT /api/views/{name}/routing?weights=1:90,2:10&amp;shadow=N</c>: move readers between versions (admin).</summary>
    public static ApiRoute SetRouting { get; } = new("PUT", "api/views/{name}/routing", Admin: true);

    /// <summary><c>GET /api/views/{name}/shadow</c>: keys where the shadow version answered differently.</summary>
    public static ApiRoute ListShadowDifferences { get; } = new("GET", "api/views/{name}/shadow");

    /// <summary><c>DELETE /api/views/{name}/versions/{version}</c>: drop a version no reader uses (admin).</summary>
    public static ApiRoute DropVersion { get; } = new("DELETE", "api/views/{name}/versions/{version}", Admin: true);

    /// <summary><c>POST /api/audit/{name}?version=N&amp;from=A&amp;to=B&amp;sample=K</c>: audit a version against the raw log (admin).</summary>
    public static ApiRoute StartAudit { get; } = new("POST", "api/audit/{name}", Admin: true);

    /// <summary><c>GET /api/audits/{name}?version=N&amp;max=M</c>: the newest audit reports.</summary>
    public static ApiRoute ListAudits { get; } = new("GET", "api/audits/{name}");

    /// <summary><c>GET /health</c>: liveness and storage reachability.</summary>
    public static ApiRoute Health { get; } = new("GET", "health");

    /// <summary>Every route.</summary>
    public static IReadOnlyList<ApiRoute> All { get; } =
        [PublishEvents, ListViews, GetView, ListQuarantine, Recompute, GetOperation, Replay, CancelOperation, SetRouting, ListShadowDifferences, DropVersion, StartAudit, ListAudits, Health];
}
