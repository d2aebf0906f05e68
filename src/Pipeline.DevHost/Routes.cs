using Microsoft.DurableTask.Client;
using Pipeline.Application.Api;
using Pipeline.Http;

namespace Pipeline.DevHost;

/// <summary>
/// Maps the API's route table onto Kestrel: every route of <see cref="ApiRoutes.All"/> is bound to its
/// shared endpoint, and admin routes check the admin key (Functions checks its function keys instead).
/// </summary>
internal static class Routes
{
    private static readonly Dictionary<ApiRoute, Delegate> Handlers = new()
    {
        [ApiRoutes.PublishEvents] = (HttpRequest request, PipelineEndpoints endpoints) => endpoints.PublishEventsAsync(request),
        [ApiRoutes.ListViews] = (HttpRequest request, PipelineEndpoints endpoints, DurableTaskClient orchestrations) => endpoints.ListViewsAsync(request, orchestrations),
        [ApiRoutes.GetView] = (HttpRequest request, string name, PipelineEndpoints endpoints) => endpoints.GetViewAsync(request, name),
        [ApiRoutes.ListQuarantine] = (HttpRequest request, PipelineEndpoints endpoints) => endpoints.ListQuarantineAsync(request),
        [ApiRoutes.GetQuarantined] = (HttpRequest request, string id, PipelineEndpoints endpoints) => endpoints.GetQuarantinedAsync(request, id),
        [ApiRoutes.Recompute] = (HttpRequest request, string name, PipelineEndpoints endpoints, DurableTaskClient orchestrations) => endpoints.StartRecomputeAsync(request, name, orchestrations),
        [ApiRoutes.ListOperations] = (HttpRequest request, PipelineEndpoints endpoints, DurableTaskClient orchestrations) => endpoints.ListOperationsAsync(request, orchestrations),
        [ApiRoutes.GetOperation] = (HttpRequest request, string id, PipelineEndpoints endpoints, DurableTaskClient orchestrations) => endpoints.GetOperationAsync(request, id, orchestrations),
        [ApiRoutes.Replay] = (HttpRequest request, string name, PipelineEndpoints endpoints, DurableTaskClient orchestrations) => endpoints.StartReplayAsync(request, name, orchestrations),
        [ApiRoutes.CancelOperation] = (HttpRequest request, string id, PipelineEndpoints endpoints, DurableTaskClient orchestrations) => endpoints.CancelOperationAsync(request, id, orchestrations),
        [ApiRoutes.SetRouting] = (HttpRequest request, string name, PipelineEndpoints endpoints) => endpoints.SetRoutingAsync(request, name),
        [ApiRoutes.ListShadowDifferences] = (HttpRequest request, string name, PipelineEndpoints endpoints) => endpoints.ListShadowDifferencesAsync(request, name),
        [ApiRoutes.DropVersion] = (HttpRequest request, string name, string version, PipelineEndpoints endpoints) => endpoints.DropVersionAsync(request, name, version),
        [ApiRoutes.StartAudit] = (HttpRequest request, string name, PipelineEndpoints endpoints, DurableTaskClient orchestrations) => endpoints.StartAuditAsync(request, name, orchestrations),
        [ApiRoutes.ListAudits] = (HttpRequest request, string name, PipelineEndpoints endpoints) => endpoints.ListAuditsAsync(request, name),
        [ApiRoutes.GetIngest] = (HttpRequest request, PipelineEndpoints endpoints) => endpoints.GetIngestAsync(request),
        [ApiRoutes.Health] = (HttpRequest request, PipelineEndpoints endpoints) => endpoints.HealthAsync(request),
        [ApiRoutes.Console] = (string? file) => ConsoleFiles.And404(file),
    };

    public static void MapPipelineRoutes(this WebApplication app)
    {
        foreach (var route in ApiRoutes.All)
        {
            var handler = Handlers.GetValueOrDefault(route) ?? throw new InvalidOperationException($"the dev host has no handler for {route.Method} /{route.Template}");
            var endpoint = app.MapMethods("/" + route.Template, [route.Method], handler);
            if (route.Admin)
            {
                endpoint.AddEndpointFilter(async (context, next) =>
                {
                    var endpoints = context.HttpContext.RequestServices.GetRequiredService<PipelineEndpoints>();
                    if (PipelineEndpoints.RefuseCrossSite(context.HttpContext.Request) is { } refused)
                    {
                        return refused;
                    }

                    return endpoints.IsAdmin(context.HttpContext.Request) ? await next(context) : endpoints.Unauthorized();
                });
            }
        }
    }
}
