namespace Pipeline.Application.Api;

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

    /// <summary>Operators: the admin key on the dev host, a function key in Azure.</summary>
    Admin,
}

/// <summary>One route of the HTTP API.</summary>
/// <param name="Method">The HTTP method.</param>
/// <param name="Template">The route template, without a leading slash.</param>
/// <param name="Access">Who may call it.</param>
public sealed record ApiRoute(string Method, string Template, RouteAccess Access = RouteAccess.Public)
{
    /// <summary>Whether it requires the admin key.</summary>
    public bool Admin => Access == RouteAccess.Admin;

    /// <summary>Whether Azure Functions serves it at function authorization level (a key is needed).</summary>
    public bool NeedsFunctionKey => Access != RouteAccess.Public;
}

/// <summary>The HTTP API's routes, one table that every host maps.</summary>
public static class ApiRoutes
{
    /// <summary><c>POST /api/events</c>: publish events (a function key in Azure).</summary>
    public static ApiRoute PublishEvents { get; } = new("POST", "api/events", RouteAccess.Publisher);

    /// <summary><c>GET /api/views</c>: the views and their versions.</summary>
    public static ApiRoute ListViews { get; } = new("GET", "api/views");

    /// <summary><c>GET /api/views/{name}</c>: an answer.</summary>
    public static ApiRoute GetView { get; } = new("GET", "api/views/{name}");

    /// <summary><c>GET /api/quarantine</c>: quarantined events, payloads truncated (admin: they are other people's data).</summary>
    public static ApiRoute ListQuarantine { get; } = new("GET", "api/quarantine", RouteAccess.Admin);

    /// <summary><c>GET /api/quarantine/{id}</c>: one quarantined event, whole (admin).</summary>
    public static ApiRoute GetQuarantined { get; } = new("GET", "api/quarantine/{id}", RouteAccess.Admin);

    /// <summary><c>POST /api/recompute/{name}</c>: start a recompute (admin).</summary>
    public static ApiRoute Recompute { get; } = new("POST", "api/recompute/{name}", RouteAccess.Admin);

    /// <summary><c>GET /api/operations/{id}</c>: an operation's status and progress.</summary>
    public static ApiRoute GetOperation { get; } = new("GET", "api/operations/{id}");

    /// <summary><c>POST /api/replay/{name}?version=N</c>: rebuild a version from the whole log (admin).</summary>
    public static ApiRoute Replay { get; } = new("POST", "api/replay/{name}", RouteAccess.Admin);

    /// <summary><c>POST /api/operations/{id}/cancel</c>: stop an operation (admin).</summary>
    public static ApiRoute CancelOperation { get; } = new("POST", "api/operations/{id}/cancel", RouteAccess.Admin);

    /// <summary><c>PUT /api/views/{name}/routing?weights=1:90,2:10&amp;shadow=N</c>: move readers between versions (admin).</summary>
    public static ApiRoute SetRouting { get; } = new("PUT", "api/views/{name}/routing", RouteAccess.Admin);

    /// <summary><c>GET /api/views/{name}/shadow</c>: keys where the shadow version answered differently.</summary>
    public static ApiRoute ListShadowDifferences { get; } = new("GET", "api/views/{name}/shadow");

    /// <summary><c>DELETE /api/views/{name}/versions/{version}</c>: drop a version no reader uses (admin).</summary>
    public static ApiRoute DropVersion { get; } = new("DELETE", "api/views/{name}/versions/{version}", RouteAccess.Admin);

    /// <summary><c>POST /api/audit/{name}?version=N&amp;from=A&amp;to=B&amp;sample=K</c>: audit a version against the raw log (admin).</summary>
    public static ApiRoute StartAudit { get; } = new("POST", "api/audit/{name}", RouteAccess.Admin);

    /// <summary><c>GET /api/audits/{name}?version=N&amp;max=M</c>: the newest audit reports.</summary>
    public static ApiRoute ListAudits { get; } = new("GET", "api/audits/{name}");

    /// <summary><c>GET /health</c>: liveness and storage reachability.</summary>
    public static ApiRoute Health { get; } = new("GET", "health");

    /// <summary>Every route.</summary>
    public static IReadOnlyList<ApiRoute> All { get; } =
        [PublishEvents, ListViews, GetView, ListQuarantine, GetQuarantined, Recompute, GetOperation, Replay, CancelOperation, SetRouting, ListShadowDifferences, DropVersion, StartAudit, ListAudits, Health];
}
