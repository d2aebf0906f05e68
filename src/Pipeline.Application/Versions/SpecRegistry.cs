using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.Application.Configuration;
using Pipeline.Application.Outcomes;
using Pipeline.Application.Time;
using Pipeline.Domain;
using Pipeline.Domain.Views;
using Pipeline.Domain.Views.Specs;

namespace Pipeline.Application.Versions;

/// <summary>A view version as registered.</summary>
/// <param name="View">The view.</param>
/// <param name="Version">The version.</param>
/// <param name="Hash">Its spec's SHA-256, lower-case hex.</param>
/// <param name="RegisteredEpoch">The epoch from which the speed layer maintains it.</param>
public sealed record RegisteredVersion(string View, int Version, string Hash, long RegisteredEpoch);

/// <summary>
/// The registry in storage, the one source of truth for every host process: registers specs (the shipped ones
/// at start, others over the API while the pipeline runs) and brings this process's <see cref="ViewRegistry"/>
/// up to date with what any process registered. Ingest asks it before applying an epoch this process has not
/// read the registry in (<see cref="SyncThroughAsync"/>): a version registered during epoch E is then known to
/// every process before it applies any event of a later epoch, which is all a caught-up answer takes from the
/// speed layer (its batch view covers E).
/// </summary>
public sealed partial class SpecRegistry(
    ViewRegistry registry,
    VersionStore versions,
    PipelineClock clock,
    IOptions<PipelineOptions> options,
    ILogger<SpecRegistry> logger
) : IDisposable
{
    /// <summary>How often a name this process does not know sends it to storage to look.</summary>
    private static readonly TimeSpan LookupInterval = TimeSpan.FromSeconds(1);

    private readonly SemaphoreSlim _syncing = new(1, 1);
    private readonly HashSet<ViewVersion> _unusable = [];
    private long _syncedThroughEpoch = long.MinValue;
    private long _syncedAt;

    /// <summary>The most view versions the registry holds (<c>Pipeline__MaxViewVersions</c>).</summary>
    public int MaxVersions => options.Value.MaxViewVersions;

    /// <summary>
    /// Registers the shipped specs that storage does not hold (from the current epoch: no event is ingested by
    /// this process before), then reads every other registration.
    /// </summary>
    /// <exception cref="InvalidOperationException">A shipped file differs from its registered version; the
    /// message names the file.</exception>
    public async Task RegisterShippedAsync(IEnumerable<ViewSpec> shipped, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(shipped);
        foreach (var spec in shipped)
        {
            var recorded = await versions
                .RegisterAsync(spec, clock.CurrentEpoch, live: false, cancellationToken)
                .ConfigureAwait(false);
            if (!string.Equals(recorded.Hash, spec.Hash, StringComparison.Ordinal))
            {
                throw new InvalidOperationException(
                    $"views/{spec.Name}.{spec.Version}.json differs from the registered {spec.Id} (SHA-256 "
                        + $"{recorded.Hash?[..12]}…, the file's {spec.Hash[..12]}…): versions are immutable; give "
                        + "the change a new version number"
                );
            }

            registry.TryAdd(SpecCompiler.Compile(spec));
        }

        await SyncAsync(force: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Registers a spec sent for <paramref name="name"/> and <paramref name="version"/>: created (from the current
    /// epoch), unchanged (the same content again), or refused with every problem found.
    /// </summary>
    public async Task<Outcome<RegisteredVersion>> RegisterAsync(
        string name,
        int version,
        ReadOnlyMemory<byte> document,
        CancellationToken cancellationToken = default
    )
    {
        if (document.Length > ViewSpecReader.MaxSpecBytes)
        {
            return Outcome<RegisteredVersion>.TooLarge(
                $"the spec is {document.Length} bytes; the limit is {ViewSpecReader.MaxSpecBytes}"
            );
        }

        var reading = ViewSpecReader.Read(document);
        if (reading.Spec is not { } spec)
        {
            return Outcome<RegisteredVersion>.Invalid([.. reading.Problems.Select(p => p.ToString())]);
        }

        var mismatch = new List<string>();
        if (!string.Equals(spec.Name, name, StringComparison.Ordinal))
        {
            mismatch.Add($"$.name: the spec is for '{spec.Name}', the request for '{Quote.Shorten(name)}'");
        }

        if (spec.Version != version)
        {
            mismatch.Add($"$.version: the spec is version {spec.Version}, the request for version {version}");
        }

        if (mismatch.Count > 0)
        {
            return Outcome<RegisteredVersion>.Invalid(mismatch);
        }

        if (!SpecCompiler.TryCompile(spec, out var view, out var unsupported))
        {
            return Outcome<RegisteredVersion>.Invalid([.. unsupported.Select(p => p.ToString())]);
        }

        var all = await versions.RegistrationsAsync(cancellationToken).ConfigureAwait(false);
        if (all.FirstOrDefault(r => r.Version == spec.Id) is { } same)
        {
            return string.Equals(same.Hash, spec.Hash, StringComparison.Ordinal)
                ? Outcome<RegisteredVersion>.Ok(Registered(same))
                : Outcome<RegisteredVersion>.Conflict(Immutable(spec, all));
        }

        var newest = all.Where(r => r.Version.Name == spec.Name).Select(r => r.Version.Version).DefaultIfEmpty(0).Max();
        if (newest >= spec.Version)
        {
            return Outcome<RegisteredVersion>.Conflict(
                $"{spec.Name} has had version {newest} registered; a new version must be above every version "
                    + $"ever registered (dropped ones too): register version {newest + 1}"
            );
        }

        if (all.Count >= MaxVersions)
        {
            return Outcome<RegisteredVersion>.Conflict(
                $"the registry holds {all.Count} view versions, the most Pipeline__MaxViewVersions allows"
            );
        }

        var recorded = await versions
            .RegisterAsync(spec, clock.CurrentEpoch, live: true, cancellationToken)
            .ConfigureAwait(false);
        if (!string.Equals(recorded.Hash, spec.Hash, StringComparison.Ordinal))
        {
            return Outcome<RegisteredVersion>.Conflict(Immutable(spec, [recorded]));
        }

        registry.TryAdd(view);
        LogRegistered(spec.Id, recorded.Epoch, spec.Hash);
        return Outcome<RegisteredVersion>.Created(Registered(recorded));
    }

    /// <summary>
    /// Makes sure this process read the registry during or after <paramref name="epoch"/> before it applies events
    /// of that epoch; one read per epoch per process. Throws when storage cannot be read: a process that cannot
    /// be sure it knows the newest registrations must not ingest past them.
    /// </summary>
    public async ValueTask SyncThroughAsync(long epoch, CancellationToken cancellationToken = default)
    {
        if (epoch > Volatile.Read(ref _syncedThroughEpoch))
        {
            await SyncAsync(force: false, cancellationToken, epoch).ConfigureAwait(false);
        }
    }

    /// <summary>Reads the registry when <paramref name="name"/> (and <paramref name="version"/>, if given) is not
    /// known here: registered through another process moments ago. At most one read a second.</summary>
    public async ValueTask LookUpAsync(string name, int? version = null, CancellationToken cancellationToken = default)
    {
        var known = version is { } v ? registry.TryGet(name, v, out _) : registry.Versions(name).Count > 0;
        if (!known && ReadLongerAgoThan(LookupInterval))
        {
            await SyncAsync(force: true, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Reads the registry when this process last did longer ago than <paramref name="maxAge"/>.</summary>
    public async ValueTask SyncIfOlderThanAsync(TimeSpan maxAge, CancellationToken cancellationToken = default)
    {
        if (ReadLongerAgoThan(maxAge))
        {
            await SyncAsync(force: true, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A version for work that names it (an activity in any process): read from storage if it was
    /// registered elsewhere since this process last looked.</summary>
    public async Task<ViewDefinition> RequireAsync(ViewVersion version, CancellationToken cancellationToken = default)
    {
        if (!registry.TryGet(version.Name, version.Version, out var view))
        {
            await SyncAsync(force: true, cancellationToken).ConfigureAwait(false);
            view = registry.Require(version);
        }

        return view;
    }

    /// <inheritdoc />
    public void Dispose() => _syncing.Dispose();

    /// <summary>Whether this process last read the registry longer ago than <paramref name="age"/>, or
    /// never.</summary>
    private bool ReadLongerAgoThan(TimeSpan age) =>
        Volatile.Read(ref _syncedThroughEpoch) == long.MinValue || clock.Elapsed(Volatile.Read(ref _syncedAt)) >= age;

    private async Task SyncAsync(bool force, CancellationToken cancellationToken, long throughEpoch = long.MinValue)
    {
        await _syncing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!force && throughEpoch <= _syncedThroughEpoch)
            {
                return; // another caller read it meanwhile
            }

            var startedAt = clock.Timestamp();
            var startedEpoch = clock.CurrentEpoch;
            foreach (var recorded in await versions.RegistrationsAsync(cancellationToken).ConfigureAwait(false))
            {
                if (!registry.TryGet(recorded.Version.Name, recorded.Version.Version, out _))
                {
                    Learn(recorded);
                }
            }

            // What was read covers every registration made before the read began: an epoch that began before it.
            Volatile.Write(ref _syncedThroughEpoch, Math.Max(startedEpoch, throughEpoch));
            Volatile.Write(ref _syncedAt, startedAt);
        }
        finally
        {
            _syncing.Release();
        }
    }

    private void Learn(VersionRegistration recorded)
    {
        if (recorded.Document.IsEmpty)
        {
            return; // recorded by an older build for a version this build does not ship: nothing to build it from
        }

        var reading = ViewSpecReader.Read(recorded.Document);
        IReadOnlyList<SpecProblem> problems = reading.Problems;
        if (reading.Spec is { } spec && SpecCompiler.TryCompile(spec, out var view, out problems))
        {
            registry.TryAdd(view);
        }
        else if (_unusable.Add(recorded.Version))
        {
            LogUnusable(recorded.Version, problems);
        }
    }

    private static RegisteredVersion Registered(VersionRegistration recorded) =>
        new(recorded.Version.Name, recorded.Version.Version, recorded.Hash ?? string.Empty, recorded.Epoch);

    private static string Immutable(ViewSpec spec, IReadOnlyList<VersionRegistration> all)
    {
        var next = all.Where(r => r.Version.Name == spec.Name)
            .Select(r => r.Version.Version)
            .Append(spec.Version)
            .Max();
        return $"versions are immutable: {spec.Id} is registered with other content; register version {next + 1}";
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "registered {Version} from epoch {Epoch} (SHA-256 {Hash})")]
    private partial void LogRegistered(ViewVersion version, long epoch, string hash);

    [LoggerMessage(
        Level = LogLevel.Warning,
        Message = "{Version} is registered with a spec this build cannot run ({Problems}); this process skips it"
    )]
    private partial void LogUnusable(ViewVersion version, IReadOnlyList<SpecProblem> problems);
}
