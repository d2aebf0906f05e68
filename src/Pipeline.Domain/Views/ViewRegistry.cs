namespace Pipeline.Domain.Views;

/// <summary>The registered views and their versions, looked up by name.</summary>
public sealed class ViewRegistry
{
    private readonly Dictionary<string, SortedList<int, ViewDefinition>> _views = new(StringComparer.Ordinal);
    private readonly ViewDefinition[] _all;

    /// <summary>Registers definitions; a repeated (name, version) is an error.</summary>
    public ViewRegistry(IEnumerable<ViewDefinition> definitions)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        foreach (var definition in definitions)
        {
            if (!_views.TryGetValue(definition.Name, out var versions))
            {
                _views[definition.Name] = versions = [];
            }

            if (!versions.TryAdd(definition.Version, definition))
            {
                throw new ArgumentException(
                    $"view '{definition.Name}' version {definition.Version} is registered twice",
                    nameof(definitions)
                );
            }
        }

        _all = [.. _views.Values.SelectMany(v => v.Values)];
    }

    /// <summary>The registry of the built-in views.</summary>
    public static ViewRegistry BuiltIn() => new(BuiltInViews.All);

    /// <summary>The view names, sorted.</summary>
    public IEnumerable<string> Names => _views.Keys.Order(StringComparer.Ordinal);

    /// <summary>Every registered definition, every version.</summary>
    public IReadOnlyList<ViewDefinition> All => _all;

    /// <summary>The versions of a view, oldest first; empty when the name is unknown.</summary>
    public IReadOnlyList<ViewDefinition> Versions(string name) =>
        _views.TryGetValue(name, out var versions) ? [.. versions.Values] : [];

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
        if (!_views.TryGetValue(name, out var versions) || versions.Count == 0)
        {
            return false;
        }

        return version is { } v
            ? versions.TryGetValue(v, out definition)
            : (definition = versions.Values[^1]) is not null;
    }
}
