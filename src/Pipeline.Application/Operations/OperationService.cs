using System.Globalization;
using Microsoft.DurableTask.Client;
using Pipeline.Application.Audit;
using Pipeline.Application.Outcomes;
using Pipeline.Application.Time;
using Pipeline.Application.Versions;
using Pipeline.Domain.Views;

namespace Pipeline.Application.Operations;

/// <summary>
/// Recomputes, replays and audits as operations, whoever asks (an admin over HTTP, the batch timer): starting
/// them for a view (its serving version unless one is given), reading, listing and canceling them. The Durable
/// Task client is an argument because in Azure it comes from the invocation's Durable client binding.
/// </summary>
public sealed class OperationService(RunStarter runs, RoutingService routing, PipelineClock clock)
{
    /// <summary>How far back a listing looks (older operations are still found by id).</summary>
    public static readonly TimeSpan ListedPeriod = TimeSpan.FromDays(7);

    /// <summary>How many of the newest matching operations a listing orders and pages through.</summary>
    public const int MaxListedOperations = 1000;

    /// <summary>Starts the recompute of a view version (default: the serving one) up to a cutoff (default: the newest
    /// sealed).</summary>
    public async Task<Outcome<OperationStarted>> StartRecomputeAsync(
        DurableTaskClient orchestrations,
        string name,
        int? version,
        long? cutoff,
        CancellationToken cancellationToken = default
    )
    {
        var view = await routing.ResolveAsync(name, version, null, cancellationToken).ConfigureAwait(false);
        return view.Succeeded
            ? await runs.StartAsync(orchestrations, view.Result, OperationKind.Recompute, cutoff, cancellationToken)
                .ConfigureAwait(false)
            : Outcome<OperationStarted>.RefusedAs(view);
    }

    /// <summary>Rebuilds a version's batch view from the whole raw log (reusing nothing) while the serving version
    /// keeps serving.</summary>
    public async Task<Outcome<OperationStarted>> StartReplayAsync(
        DurableTaskClient orchestrations,
        string name,
        int version,
        CancellationToken cancellationToken = default
    )
    {
        var view = await routing.ResolveAsync(name, version, null, cancellationToken).ConfigureAwait(false);
        return view.Succeeded
            ? await runs.StartAsync(orchestrations, view.Result, OperationKind.Replay, null, cancellationToken)
                .ConfigureAwait(false)
            : Outcome<OperationStarted>.RefusedAs(view);
    }

    /// <summary>
    /// Starts an audit of a view version (default: the serving one) against the raw log, over every key or the
    /// windows from <paramref name="from"/> to <paramref name="to"/>, or a sample of keys.
    /// </summary>
    public async Task<Outcome<OperationStarted>> StartAuditAsync(
        DurableTaskClient orchestrations,
        string name,
        int? version,
        string? from,
        string? to,
        int? sample,
        CancellationToken cancellationToken = default
    )
    {
        var resolved = await routing.ResolveAsync(name, version, null, cancellationToken).ConfigureAwait(false);
        if (!resolved.Succeeded)
        {
            return Outcome<OperationStarted>.RefusedAs(resolved);
        }

        var view = resolved.Result;
        var problems = new List<string>();
        var first = ParseBound(view, "from", from, problems);
        var last = ParseBound(view, "to", to, problems);
        if (first is { } a && last is { } b && b.WindowStart < a.WindowStart)
        {
            problems.Add("the range must go forward in time: from is after to");
        }

        if (problems.Count > 0)
        {
            return Outcome<OperationStarted>.Invalid(problems);
        }

        return await StartAuditAsync(
                orchestrations,
                new AuditRequest(view.Name, view.Version, from, to, sample, string.Empty),
                cancellationToken
            )
            .ConfigureAwait(false);
    }

    /// <summary>Starts an audit operation; its id says the view version and the moment it was asked for.</summary>
    public async Task<Outcome<OperationStarted>> StartAuditAsync(
        DurableTaskClient orchestrations,
        AuditRequest request,
        CancellationToken cancellationToken = default
    )
    {
        ArgumentNullException.ThrowIfNull(request);
        var id = OperationIds.ForAudit(new ViewVersion(request.View, request.Version), clock.UtcNow);
        var (operation, started) = await PipelineOperations
            .StartAsync(
                orchestrations,
                AuditOrchestrator.OrchestratorName,
                id,
                request with
                {
                    Audit = id,
                },
                cancellationToken
            )
            .ConfigureAwait(false);
        return Outcome<OperationStarted>.Accepted(
            OperationStarted.Of(operation, started) with
            {
                ReportsUri = $"/api/audits/{request.View}",
            }
        );
    }

    /// <summary>Whether an audit of the version is running (a scheduled audit does not start another beside
    /// it).</summary>
    public static async Task<bool> IsAuditRunningAsync(
        DurableTaskClient orchestrations,
        ViewVersion version,
        CancellationToken cancellationToken = default
    )
    {
        ArgumentNullException.ThrowIfNull(orchestrations);
        var query = new OrchestrationQuery
        {
            InstanceIdPrefix = OperationIds.Prefix(OperationKind.Audit, version.Name, version.Version),
            Statuses =
            [
                OrchestrationRuntimeStatus.Running,
                OrchestrationRuntimeStatus.Pending,
                OrchestrationRuntimeStatus.Suspended,
            ],
            PageSize = 1,
        };
        await foreach (
            var _ in orchestrations
                .GetAllInstancesAsync(query)
                .WithCancellation(cancellationToken)
                .ConfigureAwait(false)
        )
        {
            return true;
        }

        return false;
    }

    /// <summary>An operation's state, progress, rate and time left.</summary>
    public async Task<Outcome<OperationReport>> GetAsync(
        DurableTaskClient orchestrations,
        string id,
        CancellationToken cancellationToken = default
    )
    {
        var status = await PipelineOperations.GetAsync(orchestrations, id, cancellationToken).ConfigureAwait(false);
        return status is null
            ? NoSuchOperation<OperationReport>(id)
            : Outcome<OperationReport>.Ok(OperationReport.From(status, clock.UtcNow));
    }

    /// <summary>Stops a running operation; nothing it would have committed is.</summary>
    public static async Task<Outcome<OperationStatus>> CancelAsync(
        DurableTaskClient orchestrations,
        string id,
        CancellationToken cancellationToken = default
    )
    {
        var status = await PipelineOperations.CancelAsync(orchestrations, id, cancellationToken).ConfigureAwait(false);
        return status is null ? NoSuchOperation<OperationStatus>(id) : Outcome<OperationStatus>.Ok(status);
    }

    /// <summary>Recent operations of the pipeline's kinds, newest first, filtered and paged.</summary>
    public async Task<Outcome<OperationPage>> ListAsync(
        DurableTaskClient orchestrations,
        OperationQuery query,
        CancellationToken cancellationToken = default
    )
    {
        ArgumentNullException.ThrowIfNull(orchestrations);
        ArgumentNullException.ThrowIfNull(query);
        var now = clock.UtcNow;
        var filter = new OrchestrationQuery
        {
            CreatedFrom = now - ListedPeriod,
            InstanceIdPrefix = query.Kind is { } kind ? OperationIds.Prefix(kind, query.View) : null,
            Statuses = query.State switch
            {
                OperationState.Running =>
                [
                    OrchestrationRuntimeStatus.Running,
                    OrchestrationRuntimeStatus.Pending,
                    OrchestrationRuntimeStatus.Suspended,
                ],
                OperationState.Completed => [OrchestrationRuntimeStatus.Completed],
                OperationState.Failed => [OrchestrationRuntimeStatus.Failed],
                OperationState.Canceled => [OrchestrationRuntimeStatus.Terminated],
                _ => null,
            },
            FetchInputsAndOutputs = true,
            PageSize = 100,
        };
        var matching = new List<OperationStatus>();
        await foreach (
            var instance in orchestrations
                .GetAllInstancesAsync(filter)
                .WithCancellation(cancellationToken)
                .ConfigureAwait(false)
        )
        {
            if (
                OperationIds.TryParse(instance.InstanceId, out _, out var version)
                && (query.View is null || version.Value.Name == query.View)
            )
            {
                matching.Add(OperationStatus.From(instance));
            }
        }

        var ordered = matching
            .OrderByDescending(o => o.CreatedAt)
            .ThenBy(o => o.InstanceId, StringComparer.Ordinal)
            .Take(MaxListedOperations)
            .ToList();
        var page = ordered.Skip(query.Skip).Take(query.PageSize).Select(o => OperationReport.From(o, now)).ToList();
        var next =
            query.Skip + query.PageSize < ordered.Count
                ? (query.Skip + query.PageSize).ToString(CultureInfo.InvariantCulture)
                : null;
        return Outcome<OperationPage>.Ok(new OperationPage(page, next));
    }

    private static ViewKey? ParseBound(ViewDefinition view, string label, string? key, List<string> problems)
    {
        if (key is null)
        {
            return null;
        }

        if (view.TryParseKey(key, out var parsed, out var error))
        {
            return parsed;
        }

        problems.Add($"{label}: {error}");
        return null;
    }

    private static Outcome<T> NoSuchOperation<T>(string id) =>
        Outcome<T>.NotFound($"there is no operation '{Domain.Quote.Shorten(id)}'");
}
