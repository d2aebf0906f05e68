using Pipeline.Domain.Aggregations;
using Pipeline.Domain.Events;

namespace Pipeline.Domain.Views;

/// <summary>The views every deployment has.</summary>
public static class BuiltInViews
{
    /// <summary><c>new-users</c> v1: count of <c>user.signup</c> per UTC day; key <c>yyyy-MM-dd</c>.</summary>
    public static ViewDefinition NewUsers { get; } =
        ViewDefinition
            .Named("new-users", 1)
            .Where(EventFilter.OfType("user.signup"))
            .Per(TimeWindow.Day)
            .Describe("Sign-ups per UTC day.")
            .Aggregate(Aggregation.Count());

    /// <summary>
    /// <c>new-users</c> v2: as v1, without sign-ups of test accounts (<c>data.plan == "test"</c>). Defined
    /// here, registered only when configured (<c>Pipeline:ExtraVersions</c>), to be replayed and promoted.
    /// </summary>
    public static ViewDefinition NewUsersV2 { get; } =
        ViewDefinition
            .Named("new-users", 2)
            .Where(EventFilter.OfType("user.signup").And(EventFilter.FieldIsNot(EventField.Data("plan"), "test")))
            .Per(TimeWindow.Day)
            .Describe("Sign-ups per UTC day, without test accounts.")
            .Aggregate(Aggregation.Count());

    /// <summary><c>active-users</c> v1: distinct <c>subject</c> over all events per UTC day; key
    /// <c>yyyy-MM-dd</c>.</summary>
    public static ViewDefinition ActiveUsers { get; } =
        ViewDefinition
            .Named("active-users", 1)
            .Where(EventFilter.All)
            .Per(TimeWindow.Day)
            .Describe("Distinct subjects with any event per UTC day.")
            .Aggregate(Aggregation.DistinctCount(EventField.Subject));

    /// <summary><c>revenue</c> v1: sum of <c>data.amount</c> of <c>order.placed</c> per UTC day; key
    /// <c>yyyy-MM-dd</c>.</summary>
    public static ViewDefinition Revenue { get; } =
        ViewDefinition
            .Named("revenue", 1)
            .Where(EventFilter.OfType("order.placed"))
            .Per(TimeWindow.Day)
            .Describe("Sum of order amounts per UTC day, decimal-exact.")
            .Aggregate(Aggregation.Sum(EventField.Data("amount")));

    /// <summary><c>page-views</c> v1: count of <c>page.view</c> per UTC hour and <c>data.page</c>; key
    /// <c>yyyy-MM-ddTHH|page</c>.</summary>
    public static ViewDefinition PageViews { get; } =
        ViewDefinition
            .Named("page-views", 1)
            .Where(EventFilter.OfType("page.view"))
            .Per(TimeWindow.Hour, EventField.Data("page"))
            .Describe("Page views per UTC hour and page.")
            .Aggregate(Aggregation.Count());

    /// <summary>All built-in views, as every deployment registers them.</summary>
    public static IReadOnlyList<ViewDefinition> All { get; } = [NewUsers, ActiveUsers, Revenue, PageViews];

    /// <summary>Further versions a deployment may register by configuration.</summary>
    public static IReadOnlyList<ViewDefinition> Optional { get; } = [NewUsersV2];

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
}
