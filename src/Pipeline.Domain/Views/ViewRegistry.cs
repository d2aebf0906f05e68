namespace Pipeline.Domain.Views;

/// <summary>
/// The registered views and their versions, looked up by name. Versions are only ever added (a version, once
/// registered, is immutable), and readers see one consistent snapshot per call while registrations arrive.
/// </summary>
public sealed class ViewRegistry
{
    private readonly Lock _gate = new();
    private volatile Snapshot _snapshot = Snapshot.Empty;

    /// <summary>Registers definitions; a repeated (name, version) is an error.</summary>
    public ViewRegistry(IEnumerable<ViewDefinition> definitions)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        foreach (var definition in definitions)
        {
            if (!TryAdd(definition))
            {
                throw new ArgumentException(
                    $"view '{definition.Name}' version {definition.Version} is registered twice",
                    nameof(definitions)
                );
            }
        }
    }

    /// <summary>The registry of the built-in views.</summary>
    public static ViewRegistry BuiltIn() => new(BuiltInViews.All);

    /// <summary>The view names, sorted.</summary>
    public IEnumerable<string> Names => _snapshot.Views.Keys.Order(StringComparer.Ordinal);

    /// <summary>Every registered definition, every version.</summary>
    public IReadOnlyList<ViewDefinition> All => _snapshot.All;

    /// <summary>Adds a version unless one of that name and version is registered; returns whether it added
    /// it.</summary>
    public bool TryAdd(ViewDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        lock (_gate)
        {
            var current = _snapshot;
            if (current.Views.TryGetValue(definition.Name, out var known) && known.ContainsKey(definition.Version))
            {
                return false;
            }

            var views = new Dictionary<string, SortedList<int, ViewDefinition>>(current.Views, StringComparer.Ordinal);
            var versions = known is null ? [] : new SortedList<int, ViewDefinition>(known);
            versions.Add(definition.Version, definition);
            views[definition.Name] = versions;
            _snapshot = new Snapshot(views, [.. current.All, definition]);
            return true;
        }
    }

    /// <summary>The versions of a view, oldest first; empty when the name is unknown.</summary>
    public IReadOnlyList<ViewDefinition> Versions(string name) =>
        _snapshot.Views.TryGetValue(name, out var versions) ? [.. versions.Values] : [];

    /// <summary>A registered view version (for work already checked against the registry).</summary>
    /// <exception cref="InvalidOperationException">It is not registered.</exception>
    public ViewDefinition Require(ViewVersion version) =>
        TryGet(version.Name, version.Version, out var view)
            ? view
            : throw new InvalidOperationException($"{version} is not registered");

    /// <summary>Finds one version, or the latest when <paramref name="version"/> is null.</summary>
    public bool TryGet(
        string name,
        int? version,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ViewDefinition? definition
    )
    {
        definition = null;
        if (!_snapshot.Views.TryGetValue(name, out var versions) || versions.Count == 0)
        {
            return false;
        }

        return version is { } v
            ? versions.TryGetValue(v, out definition)
            : (definition = versions.Values[^1]) is not null;
    }

    /// <summary>What the registry holds at one moment; never changed once published.</summary>
    private sealed record Snapshot(
        IReadOnlyDictionary<string, SortedList<int, ViewDefinition>> Views,
        ViewDefinition[] All
    )
    {
        public static Snapshot Empty { get; } = new(new Dictionary<string, SortedList<int, ViewDefinition>>(), []);
    }
}
