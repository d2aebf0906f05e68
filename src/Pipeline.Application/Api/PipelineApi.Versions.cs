using System.Globalization;
using Microsoft.DurableTask.Client;
using Pipeline.Application.Orchestration;
using Pipeline.Application.Versions;
using Pipeline.Domain.Views;

namespace Pipeline.Application.Api;

/// <summary>The handlers of view versions: listing, replay, routing, shadow differences, cancel.</summary>
public sealed partial class PipelineApi
{
    /// <summary><c>GET /api/views</c>: every view with its routing and every version's state.</summary>
    public async Task<ApiResponse> ListViewsAsync(DurableTaskClient? orchestrations = null, CancellationToken cancellationToken = default)
    {
        var views = new List<ViewInfo>();
        foreach (var name in queries.Registry.Names)
        {
            var routing = await versions.ServingRoutingAsync(name, cancellationToken).ConfigureAwait(false);
            var states = await versions.StatesAsync(name, orchestrations, cancellationToken).ConfigureAwait(false);
            var serving = routing.Choose(null);
            views.Add(new ViewInfo(name, serving, states.FirstOrDefault(s => s.Version == serving)?.BatchCutoffEpoch, routing.FormatWeights(), routing.Shadow, states));
        }

        return ApiResponse.Ok(views);
    }

    /// <summary>
    /// <c>POST /api/replay/{name}?version=N</c>: rebuilds that version's batch view from the whole raw log
    /// (a full run, reusing nothing of another version) while the serving version keeps serving.
    /// </summary>
    public async Task<ApiResponse> StartReplayAsync(DurableTaskClient orchestrations, string name, string? version, CancellationToken cancellationToken = default)
    {
        if (!int.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var pinned))
        {
            return ApiResponse.Error(400, "give the version to replay: version=N");
        }

        var (view, missing) = await ResolveAsync(name, pinned, null, cancellationToken).ConfigureAwait(false);
        if (view is null)
        {
            return missing!;
        }

        var (operation, started, refusal) = await recomputes.StartAsync(orchestrations, view, null, full: true, kind: "replay", cancellationToken: cancellationToken).ConfigureAwait(false);
        return refusal is not null
            ? ApiResponse.Error(refusal.Status, refusal.Message)
            : new ApiResponse(202, new { operationId = operation!.InstanceId, started, state = operation.State, statusUri = $"/api/operations/{operation.InstanceId}" });
    }

    /// <summary>
    /// <c>PUT /api/views/{name}/routing?weights=1:90,2:10&amp;shadow=2</c>: moves readers between versions
    /// (promote: <c>2:100</c>; roll back: <c>1:100</c>) in one ETag-guarded write; 409 for a version that
    /// is not caught up, and with <c>audited=true</c> for one whose newest audit at its cutoff is not clean.
    /// </summary>
    public async Task<ApiResponse> SetRoutingAsync(string name, string? weights, string? shadow, string? audited = null, CancellationToken cancellationToken = default)
    {
        if (queries.Registry.Versions(name).Count == 0)
        {
            return ApiResponse.Error(404, $"there is no view '{name}'; views: {string.Join(", ", queries.Registry.Names)}");
        }

        if (!VersionRouting.TryParseWeights(weights, out var parsed, out var error))
        {
            return ApiResponse.Error(400, error);
        }

        int? shadowVersion = null;
        if (!string.IsNullOrEmpty(shadow))
        {
            if (!int.TryParse(shadow, NumberStyles.None, CultureInfo.InvariantCulture, out var s) || s < 1)
            {
                return ApiResponse.Error(400, $"shadow '{shadow}' is not a version number (versions are numbered from 1)");
            }

            shadowVersion = s;
        }

        bool requireAudit = false;
        if (!string.IsNullOrEmpty(audited) && !bool.TryParse(audited, out requireAudit))
        {
            return ApiResponse.Error(400, $"audited must be true or false, not '{audited}'");
        }

        var (routing, status, refusal) = await versions.ChangeRoutingAsync(name, parsed, shadowVersion, requireAudit, cancellationToken).ConfigureAwait(false);
        return routing is null ? ApiResponse.Error(status, refusal!) : ApiResponse.Ok(new { view = name, weights = routing.FormatWeights(), shadow = routing.Shadow });
    }

    /// <summary><c>GET /api/views/{name}/shadow?max=N</c>: the newest keys where the shadow version answered differently.</summary>
    public async Task<ApiResponse> ListShadowDifferencesAsync(string name, string? max, CancellationToken cancellationToken = default)
    {
        if (queries.Registry.Versions(name).Count == 0)
        {
            return ApiResponse.Error(404, $"there is no view '{name}'; views: {string.Join(", ", queries.Registry.Names)}");
        }

        var count = 100;
        if (!string.IsNullOrEmpty(max) && (!int.TryParse(max, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count is < 1 or > 1000))
        {
            return ApiResponse.Error(400, "max must be 1 to 1000");
        }

        return ApiResponse.Ok(await shadows.ListAsync(name, count, cancellationToken).ConfigureAwait(false));
    }

    /// <summary><c>DELETE /api/views/{name}/versions/{version}</c>: deletes a version's rows and blobs; 409 while it serves.</summary>
    public async Task<ApiResponse> DropVersionAsync(string name, string version, CancellationToken cancellationToken = default)
    {
        if (!int.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var v))
        {
            return ApiResponse.Error(400, $"version '{version}' is not a number");
        }

        var (result, status, error) = await dropper.DropAsync(name, v, cancellationToken).ConfigureAwait(false);
        return result is null ? ApiResponse.Error(status, error!) : ApiResponse.Ok(result);
    }

    /// <summary><c>POST /api/operations/{id}/cancel</c>: stops a running operation; nothing it would have committed is.</summary>
    public static async Task<ApiResponse> CancelOperationAsync(DurableTaskClient orchestrations, string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(orchestrations);
        var status = await PipelineOperations.CancelAsync(orchestrations, id, cancellationToken).ConfigureAwait(false);
        return status is null ? ApiResponse.Error(404, $"there is no operation '{id}'") : ApiResponse.Ok(status);
    }

    /// <summary>An optional <c>version=N</c>: absent is null; not a number is a 400 to answer.</summary>
    private static bool TryParseVersion(string? version, out int? pinned, out ApiResponse? error)
    {
        (pinned, error) = (null, null);
        if (string.IsNullOrEmpty(version))
        {
            return true;
        }

        if (!int.TryParse(version, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed))
        {
            error = ApiResponse.Error(400, $"version '{version}' is not a whole number");
            return false;
        }

        if (parsed < 1)
        {
            error = ApiResponse.Error(400, $"version {parsed} does not exist: versions are numbered from 1");
            return false;
        }

        pinned = parsed;
        return true;
    }

    /// <summary>The version to use: the pinned one, else the one the view's routing gives this caller.</summary>
    private async Task<(ViewDefinition? View, ApiResponse? Missing)> ResolveAsync(string name, int? pinned, string? callerId, CancellationToken cancellationToken)
    {
        if (queries.Registry.Versions(name).Count == 0)
        {
            return (null, ApiResponse.Error(404, $"there is no view '{name}'; views: {string.Join(", ", queries.Registry.Names)}"));
        }

        var chosen = pinned ?? (await versions.ServingRoutingAsync(name, cancellationToken).ConfigureAwait(false)).Choose(callerId);
        return queries.Registry.TryGet(name, chosen, out var view)
            ? (view, null)
            : (null, ApiResponse.Error(404, $"view '{name}' has no version {chosen}"));
    }

    /// <summary>In shadow mode, answers the key with the shadow version too and records a difference.</summary>
    private async Task CompareWithShadowAsync(ViewDefinition served, ViewKey key, Domain.Epochs.MergedAnswer answer, CancellationToken cancellationToken)
    {
        var routing = await versions.ServingRoutingAsync(served.Name, cancellationToken).ConfigureAwait(false);
        if (routing.Shadow is { } shadowVersion && shadowVersion != served.Version && queries.Registry.TryGet(served.Name, shadowVersion, out var shadow))
        {
            var shadowAnswer = await queries.QueryKeyAsync(shadow, key, cancellationToken).ConfigureAwait(false);
            await shadows.RecordIfDifferentAsync(served, answer, shadow, shadowAnswer, cancellationToken).ConfigureAwait(false);
        }
    }
}
