using System.Collections.Frozen;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Pipeline.Http;

/// <summary>
/// The console, a page that reads the public HTTP API: its files are embedded in this assembly (the
/// charting library from the repository's npm packages with its licence), so both hosts serve it at
/// <c>/</c> with nothing fetched from elsewhere. Any other path answers the API's JSON 404.
/// </summary>
public static class ConsoleFiles
{
    private static readonly FrozenDictionary<string, (string Resource, string ContentType)> Files = new Dictionary<
        string,
        (string, string)
    >(StringComparer.Ordinal)
    {
        [string.Empty] = ("console/index.html", "text/html; charset=utf-8"),
        ["index.html"] = ("console/index.html", "text/html; charset=utf-8"),
        ["console.js"] = ("console/console.js", "text/javascript; charset=utf-8"),
        ["console.css"] = ("console/console.css", "text/css; charset=utf-8"),
        ["lib/chart.umd.min.js"] = ("console/lib/chart.umd.min.js", "text/javascript; charset=utf-8"),
        ["lib/chart.js-LICENSE.md"] = ("console/lib/chart.js-LICENSE.md", "text/markdown; charset=utf-8"),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, byte[]> Contents = Files
        .Values.Select(f => f.Resource)
        .Distinct()
        .ToFrozenDictionary(r => r, Read, StringComparer.Ordinal);

    /// <summary>
    /// The file at <paramref name="path"/> (no leading slash; empty for the page); for a path of the API that
    /// does not take <paramref name="method"/>, a JSON 405 naming the methods it takes; else a JSON 404.
    /// </summary>
    public static IResult Serve(string method, string? path)
    {
        var file = path ?? string.Empty;
        if (Files.TryGetValue(file, out var found))
        {
            return new FileAnswer(Contents[found.Resource], found.ContentType);
        }

        return WrongMethod(method, "/" + file) ?? OutcomeResults.Error(404, NoRoute(method, "/" + file));
    }

    /// <summary>A JSON 405 with <c>Allow</c> when <paramref name="path"/> is an API route's path that takes other
    /// methods; else null.</summary>
    public static ApiResult? WrongMethod(string method, string path)
    {
        var allowed = ApiRoutes.MethodsAt(path);
        return allowed.Count == 0 || allowed.Contains(method, StringComparer.OrdinalIgnoreCase)
            ? null
            : new ApiResult(
                405,
                new ApiError(
                    $"{Domain.Quote.Shorten(path)} does not take {method}; it takes {string.Join(", ", allowed)}"
                ),
                new Dictionary<string, string> { ["Allow"] = string.Join(", ", allowed) }
            );
    }

    /// <summary>The answer's message for a path no route serves: where the console is, and the API's routes.</summary>
    public static string NoRoute(string method, string path)
    {
        var routes = ApiRoutes.All.Where(r => r != ApiRoutes.Console).Select(r => $"{r.Method} /{r.Template}");
        var quoted = Domain.Quote.Shorten(path);
        return $"there is no route {method} {quoted}; the console is at /, the API: {string.Join(", ", routes)}";
    }

    private static byte[] Read(string resource)
    {
        using var stream =
            typeof(ConsoleFiles).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException(
                $"the console file '{resource}' is not embedded: run 'npm ci' in the repository root before building"
            );
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>An embedded file as an answer for either host, with a policy that lets the page load only its own
    /// files.</summary>
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
            response.Headers.ContentSecurityPolicy =
                "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'";
            await response.Body.WriteAsync(content, httpContext.RequestAborted).ConfigureAwait(false);
        }

        public Task ExecuteResultAsync(ActionContext context)
        {
            ArgumentNullException.ThrowIfNull(context);
            return ExecuteAsync(context.HttpContext);
        }
    }
}
