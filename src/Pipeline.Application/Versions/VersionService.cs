using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;
using Pipeline.Application.Batch;
using Pipeline.Application.Configuration;
using Pipeline.Application.Ingest;
using Pipeline.Application.Orchestration;
using Pipeline.Application.Serving;
using Pipeline.Application.Storage;
using Pipeline.Application.Time;
using Pipeline.Domain.Epochs;
using Pipeline.Domain.Views;
using Pipeline.Storage.Tables;

namespace Pipeline.Application.Versions;

/// <summary>One version of a view as <c>GET /api/views</c> shows it.</summary>
public sealed record VersionState(
    int Version, string Aggregation, string Filter, string KeyFormat, string Description,
    long? RegisteredEpoch, long? BatchCutoffEpoch, bool CaughtUp, int ServingPercent, bool Shadow, string State, string? Operation);

/// <summary>
/// The versions of each view side by side: their registration (the speed layer maintains every
/// registered version from then on), whether each is caught up (a committed batch view whose cutoff is
/// past the registration epoch, so batch and speed together cover everything), and the routing of
/// readers between them. Without a stored routing the oldest version serves everyone, so registering
/// a new version changes no answer until it is given weight.
/// </summary>
public sealed class VersionService
{
    private readonly ViewRegistry _registry;
    private readonly VersionStore _versions;
    private readonly PointerStore _pointers;
    private readonly PipelineStore _store;
    private readonly PipelineClock _clock;
    private readonly TimeSpan _routingLifetime;
    private readonly ConcurrentDictionary<string, (VersionRouting Routing, long ReadAt)> _routing = new(StringComparer.Ordinal);
    private readonly ReadCoalescer<string, VersionRouting> _routingReads;
    private readonly Audit.AuditStore _audits;
    private readonly ConcurrentDictionary<(string Name, int Version), (bool CaughtUp, long ReadAt)> _caughtUp = new();
    private readonly ReadCoalescer<ViewDefinition, bool> _caughtUpReads;
    private long _firstLogEpoch = -1;

    /// <summary>Creates the service; routings are re-read after <paramref name="routingLifetime"/> (default one second).</summary>
    public VersionService(ViewRegistry registry, VersionStore versions, PointerStore pointers, PipelineStore store, Audit.AuditStore audits, PipelineClock clock, TimeSpan? routingLifetime = null)
    {
        _audits = audits;
        _registry = registry;
        _versions = versions;
        _pointers = pointers;
        _store = store;
        _clock = clock;
        _routingLifetime = routingLifetime ?? TimeSpan.FromSeconds(1);
        _routingReads = new ReadCoalescer<string, VersionRouting>(ReadRoutingAsync);
        _caughtUpReads = new ReadCoalescer<ViewDefinition, bool>(view => IsCaughtUpAsync(view, CancellationToken.None));
    }

    /// <summary>Records every registered version's registration epoch as of now (the first host to see a version sets it).</summary>
    public async Task RegisterAllAsync(CancellationToken cancellationToken = default)
    {
        var epoch = _clock.CurrentEpoch;
        foreach (var view in _registry.All)
        {
            await _versions.RegisterAsync(view.Name, view.Version, epoch, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The routing that serves a view now (kept for a second, refreshed by one shared read).</summary>
    public async Task<VersionRouting> ServingRoutingAsync(string view, CancellationToken cancellationToken = default)
    {
        if (_routing.TryGetValue(view, out var cached) && _clock.Elapsed(cached.ReadAt) < _routingLifetime)
        {
            return cached.Routing;
        }

        return await _routingReads.ReadAsync(view, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Whether a version answers completely: it was registered before the log's first epoch, so its
    /// speed data has everything, or its batch view covers everything before its registration (cutoff
    /// past the registration epoch, whose earlier events the speed layer never saw).
    /// </summary>
    public async Task<bool> IsCaughtUpAsync(ViewDefinition view, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(view);
        var pointer = await _pointers.GetAsync(view.Name, view.Version, cancellationToken).ConfigureAwait(false);
        var registered = await _versions.RegisteredEpochAsync(view.Name, view.Version, cancellationToken).ConfigureAwait(false);
        var caughtUp = await CaughtUpAsync(pointer, registered, cancellationToken).ConfigureAwait(false);
        _caughtUp[(view.Name, view.Version)] = (caughtUp, _clock.Timestamp());
        return caughtUp;
    }

    /// <summary>
    /// <see cref="IsCaughtUpAsync"/> as of at most the routing lifetime ago: what each answer says about
    /// itself, without storage reads per query (concurrent queries after it expires share one read).
    /// </summary>
    public async ValueTask<bool> IsCaughtUpRecentlyAsync(ViewDefinition view, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(view);
        return _caughtUp.TryGetValue((view.Name, view.Version), out var known) && _clock.Elapsed(known.ReadAt) < _routingLifetime
            ? known.CaughtUp
            : await _caughtUpReads.ReadAsync(view, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Records the version as registered anew now (its data was dropped): not caught up until a replay.</summary>
    public async Task ReregisterAsync(ViewDefinition view, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(view);
        await _versions.ReregisterAsync(view.Name, view.Version, _clock.CurrentEpoch, cancellationToken).ConfigureAwait(false);
        _caughtUp.TryRemove((view.Name, view.Version), out _);
    }

    private async Task<bool> CaughtUpAsync(BatchPointer? pointer, long? registered, CancellationToken cancellationToken)
    {
        if (registered is null)
        {
            return false;
        }

        if (pointer is not null && pointer.Cutoff > registered)
        {
            return true;
        }

        var first = await FirstLogEpochAsync(cancellationToken).ConfigureAwait(false);
        return first is null || registered <= first;
    }

    /// <summary>
    /// The raw log's oldest epoch, or null while the log is empty. Read once: the oldest epoch only moves
    /// later (retention), which can only make "registered before the log began" truer, so the first
    /// value read stays a safe answer.
    /// </summary>
    private async Task<long?> FirstLogEpochAsync(CancellationToken cancellationToken)
    {
        var known = Interlocked.Read(ref _firstLogEpoch);
        if (known >= 0)
        {
            return known;
        }

        // Raw segments are named by epoch first, so the first one listed is the log's oldest.
        await foreach (var blob in _store.Raw.GetBlobsAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (RawSegments.TryParse(blob.Name, out var epoch, out _, out _, out _))
            {
                Interlocked.Exchange(ref _firstLogEpoch, epoch);
                return epoch;
            }
        }

        return null;
    }

    /// <summary>Every version of a view with its state.</summary>
    public async Task<IReadOnlyList<VersionState>> StatesAsync(string name, DurableTaskClient? orchestrations, CancellationToken cancellationToken = default)
    {
        var routing = await ServingRoutingAsync(name, cancellationToken).ConfigureAwait(false);
        var states = new List<VersionState>();
        foreach (var view in _registry.Versions(name))
        {
            var pointer = await _pointers.GetAsync(view.Name, view.Version, cancellationToken).ConfigureAwait(false);
            var registered = await _versions.RegisteredEpochAsync(view.Name, view.Version, cancellationToken).ConfigureAwait(false);
            var caughtUp = await CaughtUpAsync(pointer, registered, cancellationToken).ConfigureAwait(false);
            _caughtUp[(view.Name, view.Version)] = (caughtUp, _clock.Timestamp());
            var weight = routing.Weights.GetValueOrDefault(view.Version);
            var running = await RunningOperationAsync(view, orchestrations, cancellationToken).ConfigureAwait(false);
            var state = weight > 0 ? $"serving {weight}%"
                : running is not null ? (pointer is null ? "replaying" : "recomputing")
                : routing.Shadow == view.Version ? "shadow"
                : caughtUp ? "caught up"
                : pointer is null ? "speed layer only (replay to catch up)" : "behind (recompute to catch up)";
            states.Add(new VersionState(view.Version, view.Aggregation.Description, view.Filter.Description, view.KeyFormat, view.Description,
                registered, pointer?.Cutoff, caughtUp, weight, routing.Shadow == view.Version, state, running));
        }

        return states;
    }

    /// <summary>
    /// Sets a view's weights (and shadow version) in one ETag-guarded write. Refused (409) when a version
    /// that is not caught up would gain weight, so no reader is moved to a version that would answer
    /// short (a version keeps the share it has, such as v1 serving before any batch view exists).
    /// </summary>
    public async Task<(VersionRouting? Routing, int Status, string? Error)> ChangeRoutingAsync(string name, IReadOnlyDictionary<int, int> weights, int? shadow, bool requireCleanAudit = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(weights);
        foreach (var version in weights.Keys.Concat(shadow is { } s ? [s] : []))
        {
            if (!_registry.TryGet(name, version, out _))
            {
                return (null, 404, $"view '{name}' has no version {version}");
            }
        }

        var before = await ReadRoutingAsync(name).ConfigureAwait(false);
        foreach (var (version, weight) in weights)
        {
            if (weight > before.Weights.GetValueOrDefault(version) && _registry.TryGet(name, version, out var view) && !await IsCaughtUpAsync(view, cancellationToken).ConfigureAwait(false))
            {
                return (null, 409, $"version {version} of '{name}' is not caught up (no committed batch view past its registration epoch): replay it first");
            }

            if (requireCleanAudit && weight > before.Weights.GetValueOrDefault(version))
            {
                var pointer = await _pointers.GetAsync(name, version, cancellationToken).ConfigureAwait(false);
                var newest = await _audits.ListAsync(name, version, 1, cancellationToken).ConfigureAwait(false);
                var audit = newest.Count == 0 ? null : newest[0];
                if (pointer is null || audit is not { Clean: true } || audit.Cutoff != pointer.Cutoff)
                {
                    return (null, 409, $"version {version} of '{name}' has no clean audit at its batch cutoff {pointer?.Cutoff}: audit it first (POST /api/audit/{name}?version={version})");
                }
            }
        }

        var next = new VersionRouting(weights.Where(w => w.Value > 0).ToDictionary(w => w.Key, w => w.Value), shadow);
        for (var attempt = 0; ; attempt++)
        {
            var current = await _versions.GetRoutingAsync(name, cancellationToken).ConfigureAwait(false);
            try
            {
                await _versions.SetRoutingAsync(name, next, current?.ETag, cancellationToken).ConfigureAwait(false);
                _routing[name] = (next, _clock.Timestamp());
                return (next, 200, null);
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412 && attempt < 3)
            {
                // Another change landed between the read and the write: this one is whole, so apply it on top.
            }
        }
    }

    private async Task<VersionRouting> ReadRoutingAsync(string name)
    {
        var readAt = _clock.Timestamp();
        var stored = await _versions.GetRoutingAsync(name, CancellationToken.None).ConfigureAwait(false);
        var versions = _registry.Versions(name);
        var routing = stored?.Routing ?? (versions.Count == 0 ? VersionRouting.AllOn(1) : VersionRouting.AllOn(versions[0].Version));
        _routing[name] = (routing, readAt);
        return routing;
    }

    private async Task<string?> RunningOperationAsync(ViewDefinition view, DurableTaskClient? orchestrations, CancellationToken cancellationToken)
    {
        var lockRow = await _store.Operations.GetEntityOrNullAsync("lock", $"recompute.{view.Name}.{view.Version}", cancellationToken: cancellationToken).ConfigureAwait(false);
        if (orchestrations is null || lockRow?.GetString("Instance") is not { } instance)
        {
            return null;
        }

        return await PipelineOperations.GetAsync(orchestrations, instance, cancellationToken).ConfigureAwait(false) is { State: OperationState.Running } ? instance : null;
    }
}
