using System.Text.Json;
using Pipeline.Http;
using Pipeline.Testing;

namespace Pipeline.DevHost.Tests;

/// <summary>The dev host describes its API: an OpenAPI document of every route, and a page to browse it.</summary>
[Collection(UsesSecondAzurite.Name)]
public class OpenApiTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task TheOpenApiDocument_HasEveryRouteOfTheRouteTable_AndTheUiServesItsOwnFiles()
    {
        await using var run = new DevHostRun(azurite, TimeSpan.FromSeconds(5));
        await run.StartHostAsync();
        using var http = new HttpClient { BaseAddress = run.BaseUri };

        using var document = JsonDocument.Parse(await http.GetStringAsync("openapi/v1.json"));
        var paths = document.RootElement.GetProperty("paths");
        var missing = ApiRoutes
            .All.Where(route =>
                !(
                    paths.TryGetProperty(
                        "/" + route.Template.Replace("{*", "{", StringComparison.Ordinal),
                        out var path
                    )
                    && path.TryGetProperty(route.Method.ToLowerInvariant(), out var operation)
                    && operation.GetProperty("summary").GetString()!.StartsWith(route.Summary, StringComparison.Ordinal)
                    && route.Query.All(q =>
                        operation
                            .GetProperty("parameters")
                            .EnumerateArray()
                            .Any(p => p.GetProperty("name").GetString() == q.Name)
                    )
                )
            )
            .Select(route => $"{route.Method} /{route.Template}")
            .ToList();
        Assert.True(missing.Count == 0, "not in the OpenAPI document: " + string.Join(", ", missing));

        // A registration's body is a view spec, by the repository's JSON Schema, which the host serves as it is.
        var body = paths
            .GetProperty("/api/views/{name}/versions/{version}")
            .GetProperty("put")
            .GetProperty("requestBody")
            .GetProperty("content")
            .GetProperty("application/json")
            .GetProperty("schema");
        var schemaUrl = body.GetProperty("externalDocs").GetProperty("url").GetString()!;
        Assert.Equal(
            await File.ReadAllTextAsync(Path.Combine(DotnetProcess.RepositoryRoot, "views", "view-spec.schema.json")),
            await http.GetStringAsync(schemaUrl.TrimStart('/'))
        );

        // The UI is the package's own files, configured with this document.
        Assert.Contains(
            "./swagger-ui-bundle.js",
            await http.GetStringAsync("openapi/index.html"),
            StringComparison.Ordinal
        );
        Assert.Contains("/openapi/v1.json", await http.GetStringAsync("openapi/index.js"), StringComparison.Ordinal);
        Assert.True((await http.GetAsync("openapi/swagger-ui-bundle.js")).IsSuccessStatusCode);
    }
}
