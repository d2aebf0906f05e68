using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Pipeline.Application;

namespace Pipeline.Http;

/// <summary>
/// An answer written to the response: status, headers and the JSON body. It is both a minimal-API
/// <see cref="IResult"/> (the dev host) and an MVC <see cref="IActionResult"/> (the Functions app's ASP.NET
/// Core integration executes those).
/// </summary>
/// <param name="status">The HTTP status code.</param>
/// <param name="body">The object to serialize as JSON with <see cref="ApiJson.Options"/>, or null.</param>
/// <param name="headers">Extra response headers.</param>
public sealed class ApiResult(int status, object? body, IReadOnlyDictionary<string, string>? headers = null)
    : IResult,
        IActionResult
{
    /// <summary>The status code.</summary>
    public int Status { get; } = status;

    /// <summary>The body.</summary>
    public object? Body { get; } = body;

    /// <inheritdoc/>
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        httpContext.Response.StatusCode = Status;
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            httpContext.Response.Headers[name] = value;
        }

        if (Body is not null)
        {
            httpContext.Response.ContentType = "application/json; charset=utf-8";
            await JsonSerializer
                .SerializeAsync(
                    httpContext.Response.Body,
                    Body,
                    Body.GetType(),
                    ApiJson.Options,
                    httpContext.RequestAborted
                )
                .ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public Task ExecuteResultAsync(ActionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return ExecuteAsync(context.HttpContext);
    }
}
