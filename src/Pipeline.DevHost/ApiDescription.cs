using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Pipeline.Http;

namespace Pipeline.DevHost;

/// <summary>
/// The OpenAPI document of the route table (<c>/openapi/v1.json</c>) and a page to browse it
/// (<c>/openapi/</c>, Swagger UI from its package's own files): each route's summary, query parameters
/// and whether it needs the admin key, from <see cref="ApiRoutes"/>.
/// </summary>
internal static class ApiDescription
{
    public static IServiceCollection AddApiDescription(this IServiceCollection services) =>
        services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer(
                (document, _, _) =>
                {
                    document.Info.Title = "Pipeline";
                    document.Info.Description =
                        "A lambda/kappa event pipeline: publish events, ask views (batch ⊕ speed), run recomputes, "
                        + "replays and audits. Admin routes take the key in x-functions-key.";
                    return Task.CompletedTask;
                }
            );
            options.AddOperationTransformer(
                (operation, context, _) =>
                {
                    var path = context.Description.RelativePath ?? string.Empty;
                    var route = ApiRoutes.All.FirstOrDefault(r =>
                        string.Equals(r.Method, context.Description.HttpMethod, StringComparison.OrdinalIgnoreCase)
                        && string.Equals(
                            r.Template.Replace("{*", "{", StringComparison.Ordinal),
                            path.Replace("{*", "{", StringComparison.Ordinal),
                            StringComparison.Ordinal
                        )
                    );
                    if (route is null)
                    {
                        return Task.CompletedTask;
                    }

                    operation.Summary = route.Summary + (route.Admin ? " (admin key)" : string.Empty);
                    operation.Tags = new HashSet<OpenApiTagReference>
                    {
                        new(
                            route.Admin ? "admin"
                            : route.Template == ApiRoutes.Console.Template ? "console"
                            : "public"
                        ),
                    };
                    operation.Parameters ??= [];
                    foreach (var (name, meaning) in route.Query)
                    {
                        operation.Parameters.Add(
                            new OpenApiParameter
                            {
                                Name = name,
                                In = ParameterLocation.Query,
                                Description = meaning,
                                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                            }
                        );
                    }

                    return Task.CompletedTask;
                }
            );
        });

    public static void MapApiDescription(this WebApplication app)
    {
        app.MapOpenApi();
        app.UseSwaggerUI(ui =>
        {
            ui.SwaggerEndpoint("/openapi/v1.json", "Pipeline");
            ui.RoutePrefix = "openapi";
            ui.DocumentTitle = "Pipeline API";
        });
    }
}
