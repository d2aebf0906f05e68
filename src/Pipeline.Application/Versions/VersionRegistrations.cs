using System.Collections.Concurrent;
using Pipeline.Application.Batch;
using Pipeline.Application.RawLog;
using Pipeline.Application.Serving;
using Pipeline.Application.Storage;
using Pipeline.Application.Time;
using Pipeline.Domain.Views;

namespace Pipeline.Application.Versions;

/// <summary>
/// When each view version was registered (the speed layer maintains it from that epoch on), and whether it
/// is caught up: registered before the log's first epoch, or with a committed batch view whose cutoff is
/// past its registration epoch, so that batch and speed together cover every event.
/// </summary>
public sealed class VersionRegistrations
{
    private readonly ViewRegistry _registry;
    private readonly VersionStore _versions;
    private readonly PointerStore _pointers;
    private readonly PipelineStore _store;
    private readonly PipelineClock _clock;
    private readonly TimeSpan _cacheLifetime;
    private readonly ConcurrentDictionary<ViewVersion, (bool CaughtUp, long ReadAt)> _caughtUp = new();
    private readonly ReadCoalescer<ViewDefinition, bool> _caughtUpReads;
    private long _firstLogEpoch = -1;

    /// <summary>Creates the service; what answers say of themselves is re-read after <paramref name="cacheLifetime"/>
    /// (default one second).</summary>
    public VersionRegistrations(
        ViewRegistry registry,
        VersionStore versions,
        PointerStore pointers,
        PipelineStore store,
        PipelineClock clock,
        TimeSpan? cacheLifetime = null
    )
    {
        _registry = registry;
        _versions = versions;
        _pointers = pointers;
        _store = store;
        _clock = clock;
        _cacheLifetime = cacheLifetime ?? TimeSpan.FromSeconds(1);
        _caughtUpReads = new ReadCoalescer<ViewDefinition, bool>(view => IsCaughtUpAsync(view, CancellationToken.None));
    }

    /// <summary>Records the version as registered anew now (its data was dropped): not caught up until a
    /// replay.</summary>
    public async Task ReregisterAsync(ViewDefinition view, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(view);
        await _versions.ReregisterAsync(view.Id, _clock.CurrentEpoch, cancellationToken).ConfigureAwait(false);
        _caughtUp.TryRemove(view.Id, out _);
    }

    /// <summary>The version's registration (from which epoch the speed layer maintains it), or null if it was
    /// never registered.</summary>
    public Task<VersionRegistration?> RegistrationAsync(
        ViewVersion version,
        CancellationToken cancellationToken = default
    ) => _versions.RegistrationAsync(version, cancellationToken);

    /// <summary>Whether a version answers completely (read now).</summary>
    public async Task<bool> IsCaughtUpAsync(ViewDefinition view, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(view);
        var pointer = await _pointers.GetAsync(view.Id, cancellationToken).ConfigureAwait(false);
        var registered = await _versions.RegistrationAsync(view.Id, cancellationToken).ConfigureAwait(false);
        return await CaughtUpAsync(view, pointer, registered, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// <see cref="IsCaughtUpAsync"/> as of at most the cache lifetime ago: what each answer says about itself,
    /// without storage reads per query (concurrent queries after it expires share one read).
    /// </summary>
    public async ValueTask<bool> IsCaughtUpRecentlyAsync(
        ViewDefinition view,
        CancellationToken cancellationToken = default
    )
    {
        ArgumentNullException.ThrowIfNull(view);
        return _caughtUp.TryGetValue(view.Id, out var known) && _clock.Elapsed(known.ReadAt) < _cacheLifetime
            ? known.CaughtUp
            : await _caughtUpReads.ReadAsync(view, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Whether a version with this committed pointer and registration is caught up (and remembers it): its batch
    /// view covers its registration epoch, or the log begins after it was registered. A host registers the
    /// shipped versions before it ingests anything, so for them the log may begin in the registration epoch
    /// itself; a version registered while events flow may have missed events of that epoch.
    /// </summary>
    public async Task<bool> CaughtUpAsync(
        ViewDefinition view,
        BatchPointer? committed,
        VersionRegistration? registered,
        CancellationToken cancellationToken = default
    )
    {
        ArgumentNullException.ThrowIfNull(view);
        var caughtUp =
            registered is not null
            && (
                (committed is not null && committed.Cutoff > registered.Epoch)
                || await FirstLogEpochAsync(cancellationToken).ConfigureAwait(false) is not { } first
                || registered.Epoch < first
                || (registered.Epoch == first && !registered.Live)
            );
        _caughtUp[view.Id] = (caughtUp, _clock.Timestamp());
        return caughtUp;
    }

    /// <summary>
    /// The raw log's oldest epoch, or null while the log is empty. Read once: the oldest epoch only moves
    /// later (retention), which can only make "registered before the log began" truer, so the first value
    /// read stays a safe answer.
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
}
