using System.Text.Json;
using Microsoft.DurableTask.Client;
using Pipeline.Application.Batch;
using Pipeline.Application.Operations;
using Pipeline.Application.Outcomes;
using Pipeline.Domain.Views;

namespace Pipeline.Application.Versions;

/// <summary>One version of a view as <c>GET /api/views</c> shows it.</summary>
public sealed record VersionState(
    int Version,
    string Aggregation,
    string Filter,
    string KeyFormat,
    string Description,
    long? RegisteredEpoch,
    long? BatchCutoffEpoch,
    bool CaughtUp,
    int ServingPercent,
    bool Shadow,
    string State,
    string? Operation
);

/// <summary>A view, its routing and its versions.</summary>
/// <param name="Name">The view name.</param>
/// <param name="ServingVersion">The version that answers callers without an id (the heaviest).</param>
/// <param name="BatchCutoffEpoch">That version's batch cutoff, when a batch view exists.</param>
/// <param name="Weights">The share of callers per version, as <c>1:90,2:10</c>.</param>
/// <param name="Shadow">The version computed in shadow beside served key answers, if any.</param>
/// <param name="Versions">Every registered version and its state.</param>
public sealed record ViewInfo(
    string Name,
    int ServingVersion,
    long? BatchCutoffEpoch,
    string Weights,
    int? Shadow,
    IReadOnlyList<VersionState> Versions
);

/// <summary>A view version's spec as declared.</summary>
/// <param name="View">The view.</param>
/// <param name="Version">The version.</param>
/// <param name="Hash">The spec document's SHA-256, lower-case hex.</param>
/// <param name="RegisteredEpoch">The epoch from which the speed layer maintains it; null if never registered.</param>
/// <param name="Spec">The spec document.</param>
public sealed record VersionSpec(string View, int Version, string Hash, long? RegisteredEpoch, JsonElement Spec);

/// <summary>
/// The views side by side as an operator sees them: each version's registration, batch cutoff, whether it is
/// caught up, its share of readers, and what it is doing (serving, replaying, in shadow, behind).
/// </summary>
public sealed class ViewCatalog(
    ViewRegistry registry,
    RoutingService routing,
    VersionRegistrations registrations,
    PointerStore pointers,
    RunStarter runs
)
{
    /// <summary>Every view with its routing and every version's state.</summary>
    public async Task<IReadOnlyList<ViewInfo>> ListAsync(
        DurableTaskClient? orchestrations,
        CancellationToken cancellationToken = default
    )
    {
        var views = new List<ViewInfo>();
        foreach (var name in registry.Names)
        {
            var served = await routing.ServingRoutingAsync(name, cancellationToken).ConfigureAwait(false);
            var states = await StatesAsync(name, served, orchestrations, cancellationToken).ConfigureAwait(false);
            var serving = served.Choose(null);
            views.Add(
                new ViewInfo(
                    name,
                    serving,
                    states.FirstOrDefault(s => s.Version == serving)?.BatchCutoffEpoch,
                    served.FormatWeights(),
                    served.Shadow,
                    states
                )
            );
        }

        return views;
    }

    /// <summary>A version's spec as declared, its SHA-256 and its registration epoch.</summary>
    public async Task<Outcome<VersionSpec>> SpecAsync(
        string name,
        int version,
        CancellationToken cancellationToken = default
    )
    {
        if (registry.Versions(name).Count == 0)
        {
            return routing.UnknownView<VersionSpec>(name);
        }

        if (!registry.TryGet(name, version, out var view))
        {
            return Outcome<VersionSpec>.NotFound(
                $"view '{name}' has no version {version}; it has "
                    + string.Join(", ", registry.Versions(name).Select(v => v.Id))
            );
        }

        if (view.Spec is not { } spec)
        {
            return Outcome<VersionSpec>.NotFound($"{view.Id} is defined in code, not by a spec");
        }

        using var document = JsonDocument.Parse(spec.Document);
        var registered = await registrations.RegistrationAsync(view.Id, cancellationToken).ConfigureAwait(false);
        return Outcome<VersionSpec>.Ok(
            new VersionSpec(name, version, spec.Hash, registered?.Epoch, document.RootElement.Clone())
        );
    }

    /// <summary>Every version of a view with its state.</summary>
    public async Task<IReadOnlyList<VersionState>> StatesAsync(
        string name,
        DurableTaskClient? orchestrations,
        CancellationToken cancellationToken = default
    ) =>
        await StatesAsync(
                name,
                await routing.ServingRoutingAsync(name, cancellationToken).ConfigureAwait(false),
                orchestrations,
                cancellationToken
            )
            .ConfigureAwait(false);

    private async Task<IReadOnlyList<VersionState>> StatesAsync(
        string name,
        VersionRouting served,
        DurableTaskClient? orchestrations,
        CancellationToken cancellationToken
    )
    {
        var states = new List<VersionState>();
        foreach (var view in registry.Versions(name))
        {
            var pointer = await pointers.GetAsync(view.Id, cancellationToken).ConfigureAwait(false);
            var registered = await registrations.RegistrationAsync(view.Id, cancellationToken).ConfigureAwait(false);
            var caughtUp = await registrations
                .CaughtUpAsync(view, pointer, registered, cancellationToken)
                .ConfigureAwait(false);
            var weight = served.Weights.GetValueOrDefault(view.Version);
            var running = orchestrations is null
                ? null
                : await runs.RunningAsync(orchestrations, view.Id, cancellationToken).ConfigureAwait(false);
            var state =
                weight > 0 ? $"serving {weight}%"
                : running is not null ? (pointer is null ? "replaying" : "recomputing")
                : served.Shadow == view.Version ? "shadow"
                : caughtUp ? "caught up"
                : pointer is null ? "speed layer only (replay to catch up)"
                : "behind (recompute to catch up)";
            states.Add(
                new VersionState(
                    view.Version,
                    view.Aggregation.Description,
                    view.Filter.Description,
                    view.KeyFormat,
                    view.Description,
                    registered?.Epoch,
                    pointer?.Cutoff,
                    caughtUp,
                    weight,
                    served.Shadow == view.Version,
                    state,
                    running?.InstanceId
                )
            );
        }

        return states;
    }
}
