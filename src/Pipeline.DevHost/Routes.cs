using System.Text.Json;
using Microsoft.Extensions.Options;
using Pipeline.Application;
using Pipeline.Application.Api;

namespace Pipeline.DevHost;

/// <summary>Maps the API's route table onto Kestrel; each endpoint only adapts HTTP to a handler.</summary>
internal static class Routes
{
    public static void MapPipelineRoutes(this WebApplication app)
    {
        app.MapPost("/" + ApiRoutes.PublishEvents.Template, PublishAsync);
        app.MapGet("/" + ApiRoutes.ListViews.Template, async (PipelineApi api, CancellationToken ct) => Write(await api.ListViewsAsync(ct)));
        app.MapGet("/" + ApiRoutes.GetView.Template, async (string name, string? key, string? from, string? to, string? version, PipelineApi api, CancellationToken ct) =>
            Write(await api.GetViewAsync(name, key, from, to, version, ct)));
        app.MapGet("/" + ApiRoutes.ListQuarantine.Template, async (string? continuation, string? pageSize, PipelineApi api, CancellationToken ct) =>
            Write(await api.ListQuarantineAsync(continuation, pageSize, ct)));
        app.MapPost("/" + ApiRoutes.Recompute.Template, async (HttpRequest request, string name, string? cutoff, string? version, string? code, PipelineApi api, CancellationToken ct) =>
            Write(api.IsAdmin(request.Headers["x-functions-key"], code) ? await api.StartRecomputeAsync(name, cutoff, version, ct) : api.Unauthorized()));
        app.MapGet("/" + ApiRoutes.GetOperation.Template, async (string id, PipelineApi api, CancellationToken ct) => Write(await api.GetOperationAsync(id, ct)));
        app.MapGet("/" + ApiRoutes.Health.Template, async (PipelineApi api, CancellationToken ct) => Write(await api.HealthAsync(ct)));
    }

    private static async Task<IResult> PublishAsync(HttpRequest request, EventHubEmulator emulator, IOptions<EmulatorOptions> options, CancellationToken cancellationToken)
    {
        var limit = options.Value.MaxRequestBytes;
        if (request.ContentLength > limit)
        {
            return Write(ApiResponse.Error(413, $"the body is {request.ContentLength} bytes; the limit is {limit} (DevHost:MaxRequestBytes)"));
        }

        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        if (buffer.Length > limit)
        {
            return Write(ApiResponse.Error(413, $"the body is over {limit} bytes (DevHost:MaxRequestBytes)"));
        }

        if (!EventBodySplitter.TrySplit(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), out var events, out var error))
        {
            return Write(ApiResponse.Error(400, error));
        }

        var completion = emulator.Publish(events);
        if (completion is null)
        {
            return Write(new ApiResponse(503, new ApiError("the ingest queues are full; retry after the delay in Retry-After"), new Dictionary<string, string> { ["Retry-After"] = "1" }));
        }

        var (accepted, quarantined) = await completion;
        return Write(new ApiResponse(202, new { accepted, quarantined }));
    }

    private static ApiResult Write(ApiResponse response) => new(response);

    private sealed class ApiResult(ApiResponse response) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = response.Status;
            foreach (var (name, value) in response.Headers ?? new Dictionary<string, string>())
            {
                httpContext.Response.Headers[name] = value;
            }

            if (response.Body is not null)
            {
                httpContext.Response.ContentType = "application/json; charset=utf-8";
                await JsonSerializer.SerializeAsync(httpContext.Response.Body, response.Body, response.Body.GetType(), ApiJson.Options, httpContext.RequestAborted);
            }
        }
    }
}
