using System.Collections.Frozen;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Pipeline.Application.Api;

namespace Pipeline.Http;

/// <summary>
/// The console, a page that reads the public HTTP API: its files are embedded in this assembly (the
/// charting library from the repository's npm packages with its licence), so both hosts serve it at
/// <c>/</c> with nothing fetched from elsewhere. Any other path answers the API's JSON 404.
/// </summary>
public static class ConsoleFiles
{
    private static readonly FrozenDictionary<string, (string Resource, string ContentType)> Files = new Dictionary<string, (string, string)>(StringComparer.Ordinal)
    {
        [string.Empty] = ("console/index.html", "text/html; charset=utf-8"),
        ["index.html"] = ("console/index.html", "text/html; charset=utf-8"),
        ["console.js"] = ("console/console.js", "text/javascript; charset=utf-8"),
        ["console.css"] = ("console/console.css", "text/css; charset=utf-8"),
        ["lib/chart.umd.min.js"] = ("console/lib/chart.umd.min.js", "text/javascript; charset=utf-8"),
        ["lib/chart.js-LICENSE.md"] = ("console/lib/chart.js-LICENSE.md", "text/markdown; charset=utf-8"),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, byte[]> Contents = Files.Values.Select(f => f.Resource).Distinct()
        .ToFrozenDictionary(r => r, Read, StringComparer.Ordinal);

    /// <summary>The file at <paramref name="path"/> (no leading slash; empty for the page), or a JSON 404.</summary>
    public static IResult And404(string? path)
    {
        var file = path ?? string.Empty;
        return Files.TryGetValue(file, out var found)
            ? new FileAnswer(Contents[found.Resource], found.ContentType)
            : new ApiResult(ApiResponse.Error(404, NoRoute("GET", "/" + file)));
    }

    /// <summary>The answer's message for a path no route serves: where the console is, and the API's routes.</summary>
    public static string NoRoute(string method, string path) =>
        $"there is no route {method} {path}; the console is at /, the API: {string.Join(", ", ApiRoutes.All.Where(r => r != ApiRoutes.Console).Select(r => $"{r.Method} /{r.Template}"))}";

    private static byte[] Read(string resource)
    {
        using var stream = typeof(ConsoleFiles).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"the console file '{resource}' is not embedded: run 'npm ci' in the repository root before building");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>An embedded file as an answer for either host, with a policy that lets the page load only its own files.</summary>
    private sealed class FileAnswer(byte[] content, string contentType) : IResult, IActionResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            ArgumentNullException.ThrowIfNull(httpContext);
            var response = httpContext.Response;
            response.StatusCode = 200;
            response.ContentType = contentType;
            response.ContentLength = content.Length;
            response.Headers.CacheControl = "no-cache";
            response.Headers.XContentTypeOptions = "nosniff";
            response.Headers.ContentSecurityPolicy = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:";
            await response.Body.WriteAsync(content, httpContext.RequestAborted).ConfigureAwait(false);
        }

        public Task ExecuteResultAsync(ActionContext context)
        {
            ArgumentNullException.ThrowIfNull(context);
            return ExecuteAsync(context.HttpContext);
        }
    }
}
