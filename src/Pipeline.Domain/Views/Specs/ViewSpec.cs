using System.Text.Json;

namespace Pipeline.Domain.Views.Specs;

/// <summary>
/// A view version declared as data: one JSON document (<c>views/view-spec.schema.json</c> is its schema), the
/// contract other tools write. <see cref="ViewSpecReader"/> reads and validates it.
/// </summary>
/// <param name="Name">The view's name, <c>[a-z][a-z0-9-]*</c>, at most 63 characters.</param>
/// <param name="Version">The version, from 1.</param>
/// <param name="Description">What the view answers, or null.</param>
/// <param name="Where">Which events the view takes; null: every event.</param>
/// <param name="Window">The event-time window of a key.</param>
/// <param name="By">Zero to three fields whose values follow the window in a key.</param>
/// <param name="Aggregates">One to sixteen aggregates, names unique.</param>
public sealed record ViewSpec(
    string Name,
    int Version,
    string? Description,
    SpecCondition? Where,
    SpecWindow Window,
    IReadOnlyList<SpecField> By,
    IReadOnlyList<SpecAggregate> Aggregates
)
{
    /// <summary>The view version, <c>name@version</c>.</summary>
    public ViewVersion Id => new(Name, Version);

    /// <summary>The document as it was read, byte for byte (what a registration keeps and shows).</summary>
    public ReadOnlyMemory<byte> Document { get; init; }

    /// <summary>The document's SHA-256, lower-case hex: equal documents have equal hashes.</summary>
    public string Hash => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Document.Span));
}

/// <summary>The event-time window of a key (UTC; a week is ISO 8601's, from Monday).</summary>
public enum SpecWindow
{
    /// <summary>A minute: keys like <c>2026-12-02T10:15</c>.</summary>
    Minute,

    /// <summary>An hour: keys like <c>2026-12-02T10</c>.</summary>
    Hour,

    /// <summary>A day: keys like <c>2026-12-02</c>.</summary>
    Day,

    /// <summary>An ISO 8601 week: keys like <c>2026-W49</c>.</summary>
    Week,

    /// <summary>A month: keys like <c>2026-12</c>.</summary>
    Month,
}

/// <summary>What an aggregate computes.</summary>
public enum SpecAggregateOp
{
    /// <summary>Events taken.</summary>
    Count,

    /// <summary>The decimal-exact sum of a field's numbers.</summary>
    Sum,

    /// <summary>The smallest number.</summary>
    Min,

    /// <summary>The largest number.</summary>
    Max,

    /// <summary>The sum of the numbers used divided by their number, half-even at 8 decimal places.</summary>
    Avg,

    /// <summary>Distinct values, exact in the batch view.</summary>
    Distinct,

    /// <summary>Distinct values estimated by HyperLogLog.</summary>
    ApproxDistinct,
}

/// <summary>One aggregate of a view.</summary>
/// <param name="Name">Its name, <c>[a-z][a-zA-Z0-9_-]*</c>, unique in the view.</param>
/// <param name="Op">What it computes.</param>
/// <param name="Field">The field it reads; null for <see cref="SpecAggregateOp.Count"/>.</param>
/// <param name="Where">Its own condition, applied after the view's; null: none.</param>
/// <param name="Precision">HyperLogLog's precision (4-18) for <see cref="SpecAggregateOp.ApproxDistinct"/>.</param>
public sealed record SpecAggregate(
    string Name,
    SpecAggregateOp Op,
    SpecField? Field,
    SpecCondition? Where,
    int Precision = SpecAggregate.DefaultPrecision
)
{
    /// <summary>HyperLogLog's precision when a spec gives none.</summary>
    public const int DefaultPrecision = 14;
}

/// <summary>A condition on an event: a predicate, or <c>all</c>, <c>any</c>, <c>not</c> of conditions.</summary>
public abstract record SpecCondition;

/// <summary>All of the conditions hold (none given: true).</summary>
public sealed record SpecAll(IReadOnlyList<SpecCondition> Conditions) : SpecCondition;

/// <summary>At least one of the conditions holds.</summary>
public sealed record SpecAny(IReadOnlyList<SpecCondition> Conditions) : SpecCondition;

/// <summary>The condition does not hold.</summary>
public sealed record SpecNot(SpecCondition Condition) : SpecCondition;

/// <summary>A field compared with a value.</summary>
/// <param name="Field">The field.</param>
/// <param name="Op">The comparison.</param>
/// <param name="Value">The value (an array for <c>in</c> and <c>notIn</c>); none for <c>exists</c> and
/// <c>missing</c>.</param>
public sealed record SpecPredicate(SpecField Field, SpecOperator Op, JsonElement? Value) : SpecCondition;

/// <summary>How a predicate compares.</summary>
public enum SpecOperator
{
    /// <summary>Equal, of the same JSON type (numbers as decimals).</summary>
    Eq,

    /// <summary>Not equal, of the same JSON type.</summary>
    Ne,

    /// <summary>Equal to one of the values.</summary>
    In,

    /// <summary>Present and equal to none of the values.</summary>
    NotIn,

    /// <summary>Greater (numbers, and numeric strings, as decimals).</summary>
    Gt,

    /// <summary>Greater or equal.</summary>
    Ge,

    /// <summary>Less.</summary>
    Lt,

    /// <summary>Less or equal.</summary>
    Le,

    /// <summary>A string that starts with the value (ordinal).</summary>
    StartsWith,

    /// <summary>Present and not null.</summary>
    Exists,

    /// <summary>Absent or null.</summary>
    Missing,
}

/// <summary>A problem with a spec, at its JSON path: <c>$.aggregates[2].field: sum needs a field</c>.</summary>
/// <param name="Path">Where, as a JSON path from <c>$</c>.</param>
/// <param name="Message">What is wrong.</param>
public sealed record SpecProblem(string Path, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{Path}: {Message}";
}
