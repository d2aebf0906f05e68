using System.Collections.Concurrent;
using Pipeline.Application.Audit;
using Pipeline.Application.Batch;
using Pipeline.Application.Outcomes;
using Pipeline.Application.Serving;
using Pipeline.Application.Storage;
using Pipeline.Application.Time;
using Pipeline.Domain;
using Pipeline.Domain.Views;

namespace Pipeline.Application.Versions;

/// <summary>
/// Which version of a view answers whom: the stored routing (weights per version and a shadow version,
/// re-read at most once per cache lifetime, by one shared read), the choice of a version for a caller, and
/// routing changes. Without a stored routing the oldest version serves everyone, so registering a new
/// version changes no answer until it is given weight; a version that is not caught up cannot gain weight.
/// </summary>
public sealed class RoutingService
{
    private readonly ViewRegistry _registry;
    private readonly VersionStore _versions;
    private readonly VersionRegistrations _registrations;
    private readonly PointerStore _pointers;
    private readonly AuditStore _audits;
    private readonly PipelineClock _clock;
    private readonly TimeSpan _cacheLifetime;
    private readonly ConcurrentDictionary<string, (VersionRouting Routing, long ReadAt)> _routing = new(
        StringComparer.Ordinal
    );
    private readonly ReadCoalescer<string, VersionRouting> _routingReads;

    /// <summary>Creates the service; routings are re-read after <paramref name="cacheLifetime"/> (default one
    /// second).</summary>
    public RoutingService(
        ViewRegistry registry,
        VersionStore versions,
        VersionRegistrations registrations,
        PointerStore pointers,
        AuditStore audits,
        PipelineClock clock,
        TimeSpan? cacheLifetime = null
    )
    {
        _registry = registry;
        _versions = versions;
        _registrations = registrations;
        _pointers = pointers;
        _audits = audits;
        _clock = clock;
        _cacheLifetime = cacheLifetime ?? TimeSpan.FromSeconds(1);
        _routingReads = new ReadCoalescer<string, VersionRouting>(ReadRoutingAsync);
    }

    /// <summary>The registered views.</summary>
    public ViewRegistry Registry => _registry;

    /// <summary>The answer for a view name that is not registered: which names are.</summary>
    public Outcome<T> UnknownView<T>(string name) =>
        Outcome<T>.NotFound($"there is no view '{Quote.Shorten(name)}'; views: {string.Join(", ", _registry.Names)}");

    /// <summary>
    /// The version to use: <paramref name="version"/> when given, else the one the view's routing gives this
    /// caller (sticky per caller id).
    /// </summary>
    public async Task<Outcome<ViewDefinition>> ResolveAsync(
        string name,
        int? version,
        string? callerId,
        CancellationToken cancellationToken = default
    )
    {
        if (_registry.Versions(name).Count == 0)
        {
            return UnknownView<ViewDefinition>(name);
        }

        var chosen =
            version ?? (await ServingRoutingAsync(name, cancellationToken).ConfigureAwait(false)).Choose(callerId);
        return _registry.TryGet(name, chosen, out var view)
            ? Outcome<ViewDefinition>.Ok(view)
            : Outcome<ViewDefinition>.NotFound(
                $"view '{name}' has no version {chosen}; it has "
                    + $"{string.Join(", ", _registry.Versions(name).Select(v => v.Id))}"
            );
    }

    /// <summary>The routing that serves a view now (kept for the cache lifetime, refreshed by one shared
    /// read).</summary>
    public async Task<VersionRouting> ServingRoutingAsync(string view, CancellationToken cancellationToken = default)
    {
        if (_routing.TryGetValue(view, out var cached) && _clock.Elapsed(cached.ReadAt) < _cacheLifetime)
        {
            return cached.Routing;
        }

        return await _routingReads.ReadAsync(view, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Sets a view's weights (and shadow version) in one ETag-guarded write. Refused when a version that is
    /// not caught up would gain weight, so no reader is moved to a version that would answer short (a version
    /// keeps the share it has, such as v1 serving before any batch view exists); with
    /// <paramref name="requireCleanAudit"/>, also when its newest audit at its batch cutoff is not clean.
    /// </summary>
    public async Task<Outcome<VersionRouting>> ChangeAsync(
        string name,
        IReadOnlyDictionary<int, int> weights,
        int? shadow,
        bool requireCleanAudit = false,
        CancellationToken cancellationToken = default
    )
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (_registry.Versions(name).Count == 0)
        {
            return UnknownView<VersionRouting>(name);
        }

        foreach (var version in weights.Keys.Concat(shadow is { } s ? [s] : []))
        {
            if (!_registry.TryGet(name, version, out _))
            {
                return Outcome<VersionRouting>.NotFound($"view '{name}' has no version {version}");
            }
        }

        var before = await ReadRoutingAsync(name).ConfigureAwait(false);
        foreach (var (version, weight) in weights.Where(w => w.Value > before.Weights.GetValueOrDefault(w.Key)))
        {
            if (
                await RefusalToGainWeightAsync(
                        _registry.Require(new ViewVersion(name, version)),
                        requireCleanAudit,
                        cancellationToken
                    )
                    .ConfigureAwait(false) is
                { } refusal
            )
            {
                return Outcome<VersionRouting>.Conflict(refusal);
            }
        }

        var next = new VersionRouting(weights.Where(w => w.Value > 0).ToDictionary(w => w.Key, w => w.Value), shadow);
        await OptimisticConcurrency
            .RetryAsync(
                async _ =>
                {
                    // A change is whole: applied on top of whatever changed in between.
                    var current = await _versions.GetRoutingAsync(name, cancellationToken).ConfigureAwait(false);
                    await _versions.SetRoutingAsync(name, next, current?.ETag, cancellationToken).ConfigureAwait(false);
                    return true;
                },
                cancellationToken
            )
            .ConfigureAwait(false);
        _routing[name] = (next, _clock.Timestamp());
        return Outcome<VersionRouting>.Ok(next);
    }

    private async Task<string?> RefusalToGainWeightAsync(
        ViewDefinition view,
        bool requireCleanAudit,
        CancellationToken cancellationToken
    )
    {
        if (!await _registrations.IsCaughtUpAsync(view, cancellationToken).ConfigureAwait(false))
        {
            return $"{view.Id} is not caught up (no committed batch view past its registration epoch): replay it first";
        }

        if (!requireCleanAudit)
        {
            return null;
        }

        var pointer = await _pointers.GetAsync(view.Id, cancellationToken).ConfigureAwait(false);
        var newest = await _audits.ListAsync(view.Name, view.Version, 1, cancellationToken).ConfigureAwait(false);
        return pointer is not null && newest is [{ Clean: true } audit] && audit.Cutoff == pointer.Cutoff
            ? null
            : $"{view.Id} has no clean audit at its batch cutoff {pointer?.Cutoff}: audit it first (POST "
                + $"/api/audit/{view.Name}?version={view.Version})";
    }

    private async Task<VersionRouting> ReadRoutingAsync(string name)
    {
        var readAt = _clock.Timestamp();
        var stored = await _versions.GetRoutingAsync(name, CancellationToken.None).ConfigureAwait(false);
        var versions = _registry.Versions(name);
        var routing = stored?.Routing ?? VersionRouting.AllOn(versions.Count == 0 ? 1 : versions[0].Version);
        _routing[name] = (routing, readAt);
        return routing;
    }
}
