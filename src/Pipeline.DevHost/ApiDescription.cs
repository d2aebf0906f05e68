using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Pipeline.Http;

namespace Pipeline.DevHost;

/// <summary>
/// The OpenAPI document of the route table (<c>/openapi/v1.json</c>) and a page to browse it
/// (<c>/openapi/</c>, Swagger UI from its package's own files): each route's summary, query parameters
/// and whether it needs the admin key, from <see cref="ApiRoutes"/>. A version's registration takes a view spec,
/// described by the repository's JSON Schema, served at <c>/openapi/view-spec.schema.json</c>.
/// </summary>
internal static class ApiDescription
{
    private const string SpecSchemaPath = "/openapi/view-spec.schema.json";

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
                    if (route == ApiRoutes.RegisterVersion)
                    {
                        operation.RequestBody = new OpenApiRequestBody
                        {
                            Required = true,
                            Description = "The version's spec",
                            Content = new Dictionary<string, OpenApiMediaType>
                            {
                                ["application/json"] = new() { Schema = SpecSchema() },
                            },
                        };
                    }

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

    /// <summary>
    /// The request body's schema: a JSON object described by the spec's JSON Schema, which the document names rather
    /// than copies (its internal references do not survive translation into the document's components).
    /// </summary>
    private static OpenApiSchema SpecSchema() =>
        new()
        {
            Type = JsonSchemaType.Object,
            Description = $"A view spec, valid by the JSON Schema at {SpecSchemaPath} (views/view-spec.schema.json)",
            ExternalDocs = new OpenApiExternalDocs
            {
                Description = "The view spec's JSON Schema",
                Url = new Uri(SpecSchemaPath, UriKind.Relative),
            },
        };

    public static void MapApiDescription(this WebApplication app)
    {
        app.MapOpenApi();
        app.MapGet(
            SpecSchemaPath,
            () =>
                Results.Stream(
                    typeof(ApiDescription).Assembly.GetManifestResourceStream("view-spec.schema.json")!,
                    "application/schema+json"
                )
        );
        app.UseSwaggerUI(ui =>
        {
            ui.SwaggerEndpoint("/openapi/v1.json", "Pipeline");
            ui.RoutePrefix = "openapi";
            ui.DocumentTitle = "Pipeline API";
        });
    }
}
