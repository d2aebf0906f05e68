using Pipeline.Domain.Views.Specs;

namespace Pipeline.Domain.Views;

/// <summary>
/// The views every deployment has, declared as specs in the repository's <c>views/</c> folder (one file per view
/// version, embedded in this assembly) and built from them.
/// </summary>
public static class BuiltInViews
{
    /// <summary><c>new-users</c> v1: count of <c>user.signup</c> per UTC day; key <c>yyyy-MM-dd</c>.</summary>
    public static ViewDefinition NewUsers { get; } = Shipped("new-users.1");

    /// <summary><c>active-users</c> v1: distinct <c>subject</c> over all events per UTC day; key
    /// <c>yyyy-MM-dd</c>.</summary>
    public static ViewDefinition ActiveUsers { get; } = Shipped("active-users.1");

    /// <summary><c>revenue</c> v1: sum of <c>data.amount</c> of <c>order.placed</c> per UTC day; key
    /// <c>yyyy-MM-dd</c>.</summary>
    public static ViewDefinition Revenue { get; } = Shipped("revenue.1");

    /// <summary><c>page-views</c> v1: count of <c>page.view</c> per UTC hour and <c>data.page</c>; key
    /// <c>yyyy-MM-ddTHH|page</c>.</summary>
    public static ViewDefinition PageViews { get; } = Shipped("page-views.1");

    /// <summary>All built-in views, as every deployment registers them.</summary>
    public static IReadOnlyList<ViewDefinition> All { get; } = [NewUsers, ActiveUsers, Revenue, PageViews];

    /// <summary>Further versions a deployment may register by configuration: every other spec in
    /// <c>views/</c>.</summary>
    public static IReadOnlyList<ViewDefinition> Optional { get; } =
    [.. ShippedSpecs.All.Where(spec => !All.Any(v => v.Id == spec.Id)).Select(SpecCompiler.Compile)];

    /// <summary>
    /// <c>new-users</c> v2: as v1, without sign-ups of test accounts (<c>data.plan == "test"</c>). Registered only
    /// when configured (<c>Pipeline:ExtraVersions</c>), to be replayed and promoted.
    /// </summary>
    public static ViewDefinition NewUsersV2 => Optional.Single(v => v.Id == new ViewVersion("new-users", 2));

    /// <summary>The built-in views plus the optional versions named like <c>new-users:2</c>
    /// (comma-separated).</summary>
    /// <exception cref="ArgumentException">A name is not an optional version; the message lists them.</exception>
    public static IReadOnlyList<ViewDefinition> With(string? extraVersions)
    {
        var chosen = new List<ViewDefinition>(All);
        foreach (
            var entry in (extraVersions ?? string.Empty).Split(
                ',',
                StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries
            )
        )
        {
            chosen.Add(
                Optional.FirstOrDefault(v => string.Equals($"{v.Name}:{v.Version}", entry, StringComparison.Ordinal))
                    ?? throw new ArgumentException(
                        $"'{entry}' is not an optional view version; there are: "
                            + $"{string.Join(", ", Optional.Select(v => $"{v.Name}:{v.Version}"))}",
                        nameof(extraVersions)
                    )
            );
        }

        return chosen;
    }

    private static ViewDefinition Shipped(string file) =>
        SpecCompiler.Compile(ShippedSpecs.All.Single(spec => $"{spec.Name}.{spec.Version}" == file));
}
