using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;
using Pipeline.Application.Audit;
using Pipeline.Application.Ingest;
using Pipeline.Application.Operations;
using Pipeline.Application.Outcomes;
using Pipeline.Application.Quarantine;
using Pipeline.Application.Serving;
using Pipeline.Application.Storage;
using Pipeline.Application.Versions;

namespace Pipeline.Http;

/// <summary>
/// One method per route of <see cref="ApiRoutes"/>, shared by both hosts: each reads the request's values
/// (parsed once, every problem listed), asks the service that does the work, and answers its outcome through
/// <see cref="OutcomeResults"/>. The orchestration client is an argument because in Azure it comes from the
/// invocation's Durable client binding. Admin routes also refuse requests a browser sends from another site.
/// </summary>
public sealed class PipelineEndpoints(
    EventIntake intake,
    AnswerService answers,
    ViewCatalog catalog,
    RoutingService routing,
    ShadowRecorder shadows,
    VersionDropper dropper,
    OperationService operations,
    AuditService audits,
    QuarantineReader quarantine,
    IngestStatusService ingest,
    StorageHealth health,
    SpecRegistry specs
)
{
    /// <summary>An operation once asked for runs to its end, even if the client that asked hangs up.</summary>
    private static readonly CancellationToken StartsOutliveTheRequest = CancellationToken.None;

    /// <summary>The operations' states by the names the API gives them.</summary>
    private static readonly Dictionary<string, OperationState> States = Enum.GetValues<OperationState>()
        .ToDictionary(s => s.ToString().ToLowerInvariant(), StringComparer.Ordinal);

    /// <summary>The operations' kinds by the names the API gives them.</summary>
    private static readonly Dictionary<string, OperationKind> Kinds = Enum.GetValues<OperationKind>()
        .ToDictionary(k => k.Name(), StringComparer.Ordinal);

    /// <summary><c>POST /api/events</c>.</summary>
    public async Task<ApiResult> PublishEventsAsync(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (limit, setting) = intake.MaxBodyBytes;
        if (request.ContentLength > limit)
        {
            return OutcomeResults.Error(
                413,
                $"the body is {request.ContentLength} bytes; the limit is {limit} ({setting})"
            );
        }

        using var buffer = await ReadBodyAsync(request, limit).ConfigureAwait(false);
        return buffer is null
            ? OutcomeResults.Error(413, $"the body is over {limit} bytes ({setting})")
            : OutcomeResults.From(
                await intake
                    .PublishAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), Aborted(request))
                    .ConfigureAwait(false)
            );
    }

    /// <summary><c>GET /api/views</c>.</summary>
    public async Task<ApiResult> ListViewsAsync(HttpRequest request, DurableTaskClient orchestrations)
    {
        await specs.SyncIfOlderThanAsync(TimeSpan.FromSeconds(1), Aborted(request)).ConfigureAwait(false);
        return new(200, await catalog.ListAsync(orchestrations, Aborted(request)).ConfigureAwait(false));
    }

    /// <summary><c>GET /api/views/{name}?key=K</c> or <c>?from=A&amp;to=B</c>, optionally
    /// <c>&amp;version=N</c>.</summary>
    public async Task<ApiResult> GetViewAsync(HttpRequest request, string name)
    {
        var values = new RequestValues(request);
        var (key, from, to, version) = (values.Text("key"), values.Text("from"), values.Text("to"), values.Version());
        if (key is not null && (from is not null || to is not null))
        {
            values.Problems.Add("ask for either key=K or from=A&to=B, not both");
        }
        else if (key is null && (from is null || to is null))
        {
            values.Problems.Add("give key=K, or from=A&to=B");
        }

        if (values.Invalid)
        {
            return values.Refusal();
        }

        await specs.LookUpAsync(name, version, Aborted(request)).ConfigureAwait(false);
        var caller = request.Headers.TryGetValue("x-pipeline-client", out var callers) ? callers.ToString() : null;
        return key is not null
            ? OutcomeResults.From(
                await answers.KeyAsync(name, key, version, caller, Aborted(request)).ConfigureAwait(false)
            )
            : OutcomeResults.From(
                await answers.RangeAsync(name, from!, to!, version, caller, Aborted(request)).ConfigureAwait(false)
            );
    }

    /// <summary><c>GET /api/quarantine?pageSize=N&amp;continuation=C</c> (admin).</summary>
    public async Task<ApiResult> ListQuarantineAsync(HttpRequest request)
    {
        var values = new RequestValues(request);
        var size = values.WholeNumber("pageSize", 1, QuarantineReader.MaxPageSize, 50);
        return RefuseCrossSite(request)
            ?? (
                values.Invalid
                    ? values.Refusal()
                    : new ApiResult(
                        200,
                        await quarantine
                            .ListAsync(values.Text("continuation"), size, Aborted(request))
                            .ConfigureAwait(false)
                    )
            );
    }

    /// <summary><c>GET /api/quarantine/{id}</c> (admin).</summary>
    public async Task<ApiResult> GetQuarantinedAsync(HttpRequest request, string id) =>
        RefuseCrossSite(request)
        ?? OutcomeResults.From(await quarantine.GetAsync(id, Aborted(request)).ConfigureAwait(false));

    /// <summary><c>POST /api/recompute/{name}?cutoff=E&amp;version=N</c> (admin).</summary>
    public async Task<ApiResult> StartRecomputeAsync(HttpRequest request, string name, DurableTaskClient orchestrations)
    {
        var values = new RequestValues(request);
        var (version, cutoff) = (values.Version(), values.Epoch("cutoff"));
        await specs.LookUpAsync(name, version, Aborted(request)).ConfigureAwait(false);
        return RefuseCrossSite(request)
            ?? (
                values.Invalid
                    ? values.Refusal()
                    : OutcomeResults.From(
                        await operations
                            .StartRecomputeAsync(orchestrations, name, version, cutoff, StartsOutliveTheRequest)
                            .ConfigureAwait(false)
                    )
            );
    }

    /// <summary><c>POST /api/replay/{name}?version=N</c> (admin).</summary>
    public async Task<ApiResult> StartReplayAsync(HttpRequest request, string name, DurableTaskClient orchestrations)
    {
        var values = new RequestValues(request);
        var version = values.Version(required: true);
        await specs.LookUpAsync(name, version, Aborted(request)).ConfigureAwait(false);
        return RefuseCrossSite(request)
            ?? (
                values.Invalid
                    ? values.Refusal()
                    : OutcomeResults.From(
                        await operations
                            .StartReplayAsync(orchestrations, name, version!.Value, StartsOutliveTheRequest)
                            .ConfigureAwait(false)
                    )
            );
    }

    /// <summary><c>POST /api/audit/{name}?version=N&amp;from=A&amp;to=B&amp;sample=K</c> (admin).</summary>
    public async Task<ApiResult> StartAuditAsync(HttpRequest request, string name, DurableTaskClient orchestrations)
    {
        var values = new RequestValues(request);
        var (version, from, to, sample) = (
            values.Version(),
            values.Text("from"),
            values.Text("to"),
            values.Positive("sample")
        );
        await specs.LookUpAsync(name, version, Aborted(request)).ConfigureAwait(false);
        return RefuseCrossSite(request)
            ?? (
                values.Invalid
                    ? values.Refusal()
                    : OutcomeResults.From(
                        await operations
                            .StartAuditAsync(orchestrations, name, version, from, to, sample, StartsOutliveTheRequest)
                            .ConfigureAwait(false)
                    )
            );
    }

    /// <summary><c>GET /api/operations/{id}</c>.</summary>
    public async Task<ApiResult> GetOperationAsync(HttpRequest request, string id, DurableTaskClient orchestrations) =>
        OutcomeResults.From(await operations.GetAsync(orchestrations, id, Aborted(request)).ConfigureAwait(false));

    /// <summary><c>POST /api/operations/{id}/cancel</c> (admin).</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage(
        "Performance",
        "CA1822",
        Justification = "Every route is an instance member, so that hosts call them alike."
    )]
    public async Task<ApiResult> CancelOperationAsync(
        HttpRequest request,
        string id,
        DurableTaskClient orchestrations
    ) =>
        RefuseCrossSite(request)
        ?? OutcomeResults.From(
            await OperationService.CancelAsync(orchestrations, id, Aborted(request)).ConfigureAwait(false)
        );

    /// <summary><c>GET /api/operations?view=V&amp;kind=K&amp;state=S&amp;pageSize=N&amp;continuation=C</c>.</summary>
    public async Task<ApiResult> ListOperationsAsync(HttpRequest request, DurableTaskClient orchestrations)
    {
        var values = new RequestValues(request);
        var query = new OperationQuery(
            values.Text("view"),
            values.Choice("kind", Kinds),
            values.Choice("state", States),
            values.WholeNumber("pageSize", 1, 100, 20),
            values.WholeNumber("continuation", 0, OperationService.MaxListedOperations, 0)
        );
        return values.Invalid
            ? values.Refusal()
            : OutcomeResults.From(
                await operations.ListAsync(orchestrations, query, Aborted(request)).ConfigureAwait(false)
            );
    }

    /// <summary><c>PUT /api/views/{name}/routing?weights=1:90,2:10&amp;shadow=N&amp;audited=true</c> (admin).</summary>
    public async Task<ApiResult> SetRoutingAsync(HttpRequest request, string name)
    {
        var values = new RequestValues(request);
        if (!VersionRouting.TryParseWeights(values.Text("weights"), out var weights, out var error))
        {
            values.Problems.Add(error);
        }

        var (shadow, audited) = (values.Version("shadow"), values.Flag("audited"));
        foreach (var version in weights.Keys.Concat(shadow is { } s ? [s] : []).DefaultIfEmpty(1))
        {
            await specs.LookUpAsync(name, version, Aborted(request)).ConfigureAwait(false);
        }

        if (RefuseCrossSite(request) is { } refused)
        {
            return refused;
        }

        return values.Invalid
            ? values.Refusal()
            : OutcomeResults.From(
                (await routing.ChangeAsync(name, weights, shadow, audited, Aborted(request)).ConfigureAwait(false)).Map(
                    changed => new
                    {
                        view = name,
                        weights = changed.FormatWeights(),
                        shadow = changed.Shadow,
                    }
                )
            );
    }

    /// <summary><c>GET /api/views/{name}/shadow?max=N</c>.</summary>
    public async Task<ApiResult> ListShadowDifferencesAsync(HttpRequest request, string name)
    {
        var values = new RequestValues(request);
        var max = values.WholeNumber("max", 1, 1000, 100);
        if (values.Invalid)
        {
            return values.Refusal();
        }

        await specs.LookUpAsync(name, null, Aborted(request)).ConfigureAwait(false);
        return routing.Registry.Versions(name).Count == 0
            ? OutcomeResults.From(routing.UnknownView<object>(name))
            : new ApiResult(200, await shadows.ListAsync(name, max, Aborted(request)).ConfigureAwait(false));
    }

    /// <summary><c>GET /api/views/{name}/versions/{version}</c>.</summary>
    public async Task<ApiResult> GetVersionSpecAsync(HttpRequest request, string name, string version)
    {
        var values = new RequestValues(request);
        var number = values.VersionInRoute(version);
        await specs.LookUpAsync(name, number, Aborted(request)).ConfigureAwait(false);
        return values.Invalid
            ? values.Refusal()
            : OutcomeResults.From(await catalog.SpecAsync(name, number!.Value, Aborted(request)).ConfigureAwait(false));
    }

    /// <summary><c>PUT /api/views/{name}/versions/{version}</c> (admin): registers a spec.</summary>
    public async Task<ApiResult> RegisterVersionAsync(HttpRequest request, string name, string version)
    {
        ArgumentNullException.ThrowIfNull(request);
        var values = new RequestValues(request);
        var number = values.VersionInRoute(version);
        if (RefuseCrossSite(request) is { } refused)
        {
            return refused;
        }

        if (values.Invalid)
        {
            return values.Refusal();
        }

        const int limit = Domain.Views.Specs.ViewSpecReader.MaxSpecBytes;
        using var buffer = await ReadBodyAsync(request, limit).ConfigureAwait(false);
        if (buffer is null)
        {
            return OutcomeResults.Error(413, $"the spec is over {limit} bytes, the most a spec may have");
        }

        return OutcomeResults.From(
            await specs
                .RegisterAsync(
                    name,
                    number!.Value,
                    buffer.GetBuffer().AsMemory(0, (int)buffer.Length),
                    StartsOutliveTheRequest
                )
                .ConfigureAwait(false)
        );
    }

    /// <summary><c>DELETE /api/views/{name}/versions/{version}</c> (admin).</summary>
    public async Task<ApiResult> DropVersionAsync(
        HttpRequest request,
        string name,
        string version,
        DurableTaskClient orchestrations
    )
    {
        var values = new RequestValues(request);
        var number = values.VersionInRoute(version);
        await specs.LookUpAsync(name, number, Aborted(request)).ConfigureAwait(false);
        return RefuseCrossSite(request)
            ?? (
                values.Invalid
                    ? values.Refusal()
                    : OutcomeResults.From(
                        await dropper
                            .DropAsync(orchestrations, name, number!.Value, Aborted(request))
                            .ConfigureAwait(false)
                    )
            );
    }

    /// <summary><c>GET /api/audits/{name}?version=N&amp;max=M</c>.</summary>
    public async Task<ApiResult> ListAuditsAsync(HttpRequest request, string name)
    {
        var values = new RequestValues(request);
        var (version, max) = (values.Version(), values.WholeNumber("max", 1, 100, 20));
        await specs.LookUpAsync(name, version, Aborted(request)).ConfigureAwait(false);
        return values.Invalid
            ? values.Refusal()
            : OutcomeResults.From(
                await audits.ReportsAsync(name, version, max, Aborted(request)).ConfigureAwait(false)
            );
    }

    /// <summary><c>GET /api/ingest</c>.</summary>
    public async Task<ApiResult> GetIngestAsync(HttpRequest request) =>
        new(200, await ingest.StatusAsync(Aborted(request)).ConfigureAwait(false));

    /// <summary><c>GET /health</c>.</summary>
    public async Task<ApiResult> HealthAsync(HttpRequest request) =>
        OutcomeResults.From(await health.CheckAsync(Aborted(request)).ConfigureAwait(false));

    /// <summary>
    /// Refuses an admin request that a browser sent on behalf of another site (a form or script on any web
    /// page could otherwise use a key passed as <c>code=</c>): <c>Sec-Fetch-Site</c> other than same-origin or
    /// none, or an <c>Origin</c> other than this host. Tools (curl, the pipeline tool) send neither.
    /// </summary>
    public static ApiResult? RefuseCrossSite(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        var origin = request.Headers.Origin.ToString();
        var crossSite = site.Length > 0 && site is not ("same-origin" or "none");
        var foreignOrigin =
            origin.Length > 0
            && (
                !Uri.TryCreate(origin, UriKind.Absolute, out var uri)
                || !string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase)
            );
        return crossSite || foreignOrigin
            ? OutcomeResults.Error(403, "admin routes refuse requests a browser sends from another site")
            : null;
    }

    /// <summary>The request's body, read up to <paramref name="limit"/> bytes; null when it is longer (read no
    /// further).</summary>
    private static async Task<MemoryStream?> ReadBodyAsync(HttpRequest request, long limit)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, Aborted(request)).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                await buffer.DisposeAsync().ConfigureAwait(false);
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer;
    }

    private static CancellationToken Aborted(HttpRequest request) =>
        (request ?? throw new ArgumentNullException(nameof(request))).HttpContext.RequestAborted;
}
