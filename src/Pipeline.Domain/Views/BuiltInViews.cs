using Pipeline.Domain.Views.Specs;

namespace Pipeline.Domain.Views;

/// <summary>
/// The views every deployment has, declared as specs in the repository's <c>views/</c> folder (one file per view
/// version, embedded in this assembly) and built from them.
/// </summary>
public static class BuiltInViews
{
    /// <summary>Every shipped view (every spec in <c>views/</c>), as every deployment registers them.</summary>
    public static IReadOnlyList<ViewDefinition> All { get; } = [.. ShippedSpecs.All.Select(SpecCompiler.Compile)];

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

    private static ViewDefinition Shipped(string file) => All.Single(v => $"{v.Name}.{v.Version}" == file);
}
