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

    /// <summary><c>GET /health</c>: liveness and storage reachability.</summary>
    public static ApiRoute Health { get; } = new("GET", "health");

    /// <summary>Every route.</summary>
    public static IReadOnlyList<ApiRoute> All { get; } = [PublishEvents, ListViews, GetView, ListQuarantine, Recompute, GetOperation, Health];
}
