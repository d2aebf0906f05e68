using Microsoft.AspNetCore.Diagnostics;
using Pipeline.Application.Api;
using Pipeline.Http;

namespace Pipeline.DevHost;

/// <summary>
/// Every error the dev host answers is JSON <c>{"error": "..."}</c>, as the API promises: unknown routes
/// and methods, a body over <c>DevHost:MaxRequestBytes</c> (announced or chunked), a URL over
/// <see cref="MaxUrlCharacters"/>, and anything unexpected.
/// </summary>
internal static partial class JsonErrors
{
    /// <summary>The longest URL (path and query) served.</summary>
    public const int MaxUrlCharacters = 8 * 1024;

    /// <summary>
    /// Kestrel's own limits, raised above the dev host's so that the dev host answers them in JSON
    /// (Kestrel refuses over-long request lines and bodies with an empty body of its own).
    /// </summary>
    public static void ConfigureLimits(this WebApplicationBuilder builder)
    {
        var maxBody = builder.Configuration.GetValue<long?>($"{EmulatorOptions.Section}:{nameof(EmulatorOptions.MaxRequestBytes)}") ?? new EmulatorOptions().MaxRequestBytes;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = maxBody;
            kestrel.Limits.MaxRequestLineSize = 256 * 1024;
        });
    }

    private static string NoRoute(HttpRequest request) => ConsoleFiles.NoRoute(request.Method, request.Path);

    /// <summary>Whether a route of the API (not the console's catch-all) has this path, with any method.</summary>
    private static bool IsApiPath(PathString path)
    {
        var segments = (path.Value ?? string.Empty).Trim('/').Split('/');
        return ApiRoutes.All.Where(r => r != ApiRoutes.Console).Select(r => r.Template.Split('/')).Any(template =>
            template.Length == segments.Length
            && template.Zip(segments).All(pair => pair.First.StartsWith('{') || string.Equals(pair.First, pair.Second, StringComparison.OrdinalIgnoreCase)));
    }

    public static void UseJsonErrors(this WebApplication app)
    {
        app.UseExceptionHandler(errors => errors.Run(async context =>
        {
            var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
            await new ApiResult(ApiResponse.Error(500, "the dev host failed to answer; its log says why")).ExecuteAsync(context);
        }));

        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (BadHttpRequestException bad) when (!context.Response.HasStarted)
            {
                // The client's mistake (such as a chunked body over the limit): an answer, not an error in the log.
                var message = bad.StatusCode == 413
                    ? $"the body is over the limit of {context.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<EmulatorOptions>>().Value.MaxRequestBytes} bytes (DevHost:MaxRequestBytes)"
                    : $"the request is malformed: {bad.Message}";
                await new ApiResult(ApiResponse.Error(bad.StatusCode, message)).ExecuteAsync(context);
            }
        });

        app.Use(async (context, next) =>
        {
            var length = context.Request.Path.Value?.Length + context.Request.QueryString.Value?.Length ?? 0;
            if (length > MaxUrlCharacters)
            {
                await new ApiResult(ApiResponse.Error(414, $"the URL is {length} characters; the limit is {MaxUrlCharacters}")).ExecuteAsync(context);
                return;
            }

            await next(context);
        });

        app.UseStatusCodePages(async status =>
        {
            var context = status.HttpContext;
            var message = context.Response.StatusCode switch
            {
                404 => NoRoute(context.Request),
                405 when !IsApiPath(context.Request.Path) => NoRoute(context.Request),
                405 => $"{context.Request.Path} does not take {context.Request.Method}",
                _ => $"the request failed with {context.Response.StatusCode}",
            };
            await new ApiResult(ApiResponse.Error(context.Response.StatusCode, message)).ExecuteAsync(context);
        });
    }
}
