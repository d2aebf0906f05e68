using Pipeline.Http;

namespace Pipeline.DevHost;

/// <summary>
/// Maps the API's route table onto Kestrel: every route of <see cref="ApiRoutes.All"/> to its shared endpoint,
/// and admin routes behind the admin key (Functions checks its keys itself).
/// </summary>
internal static class Routes
{
    public static void MapPipelineRoutes(this WebApplication app)
    {
        foreach (var route in ApiRoutes.All)
        {
            var endpoint = app.MapMethods("/" + route.Template, [route.Method], route.Handler);
            if (route.Admin)
            {
                endpoint.AddEndpointFilter(
                    async (context, next) =>
                        AdminAccess.Refuse(
                            context.HttpContext.Request,
                            context.HttpContext.RequestServices.GetRequiredService<AdminKey>()
                        ) ?? await next(context)
                );
            }
        }
    }
}
