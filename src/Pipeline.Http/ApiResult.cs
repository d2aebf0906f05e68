using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Pipeline.Application;
using Pipeline.Application.Api;

namespace Pipeline.Http;

/// <summary>
/// An <see cref="ApiResponse"/> written to the response: status, headers and the JSON body. It is both a
/// minimal-API <see cref="IResult"/> (the dev host) and an MVC <see cref="IActionResult"/> (the Functions
/// app's ASP.NET Core integration executes those).
/// </summary>
public sealed class ApiResult(ApiResponse response) : IResult, IActionResult
{
    /// <summary>The response this result writes.</summary>
    public ApiResponse Response { get; } = response;

    /// <inheritdoc/>
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        httpContext.Response.StatusCode = Response.Status;
        foreach (var (name, value) in Response.Headers ?? new Dictionary<string, string>())
        {
            httpContext.Response.Headers[name] = value;
        }

        if (Response.Body is not null)
        {
            httpContext.Response.ContentType = "application/json; charset=utf-8";
            await JsonSerializer.SerializeAsync(httpContext.Response.Body, Response.Body, Response.Body.GetType(), ApiJson.Options, httpContext.RequestAborted).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public Task ExecuteResultAsync(ActionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return ExecuteAsync(context.HttpContext);
    }
}
