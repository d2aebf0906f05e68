using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Options;
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
        var maxBody =
            builder.Configuration.GetValue<long?>(
                $"{EmulatorOptions.Section}:{nameof(EmulatorOptions.MaxRequestBytes)}"
            ) ?? new EmulatorOptions().MaxRequestBytes;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = maxBody;
            kestrel.Limits.MaxRequestLineSize = 256 * 1024;
        });
    }

    public static void UseJsonErrors(this WebApplication app)
    {
        app.UseExceptionHandler(errors =>
            errors.Run(async context =>
            {
                var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
                await OutcomeResults
                    .Error(500, "the dev host failed to answer; its log says why")
                    .ExecuteAsync(context);
            })
        );

        app.Use(
            async (context, next) =>
            {
                try
                {
                    await next(context);
                }
                catch (BadHttpRequestException bad) when (!context.Response.HasStarted)
                {
                    // The client's mistake (such as a chunked body over the limit): an answer, not an error in the log.
                    var limit = context
                        .RequestServices.GetRequiredService<IOptions<EmulatorOptions>>()
                        .Value.MaxRequestBytes;
                    var message =
                        bad.StatusCode == 413
                            ? $"the body is over the limit of {limit} bytes (DevHost:MaxRequestBytes)"
                            : $"the request is malformed: {bad.Message}";
                    await OutcomeResults.Error(bad.StatusCode, message).ExecuteAsync(context);
                }
            }
        );

        app.Use(
            async (context, next) =>
            {
                var length = context.Request.Path.Value?.Length + context.Request.QueryString.Value?.Length ?? 0;
                if (length > MaxUrlCharacters)
                {
                    await OutcomeResults
                        .Error(414, $"the URL is {length} characters; the limit is {MaxUrlCharacters}")
                        .ExecuteAsync(context);
                    return;
                }

                await next(context);
            }
        );

        app.UseStatusCodePages(async status =>
        {
            var context = status.HttpContext;
            var (method, path) = (context.Request.Method, context.Request.Path.Value ?? "/");
            var answer = context.Response.StatusCode switch
            {
                404 or 405 => ConsoleFiles.WrongMethod(method, path)
                    ?? OutcomeResults.Error(404, ConsoleFiles.NoRoute(method, path)),
                _ => OutcomeResults.Error(
                    context.Response.StatusCode,
                    $"the request failed with {context.Response.StatusCode}"
                ),
            };
            await answer.ExecuteAsync(context);
        });
    }
}
