using System.Text;
using System.Text.Json;
using Pipeline.Domain.Aggregations;
using Pipeline.Domain.Events;

namespace Pipeline.Domain.Views.Specs;

/// <summary>
/// Builds the view model every layer folds with from a spec: one aggregate is the view's aggregation, several are
/// folded side by side (<see cref="Aggregation.Composite"/>). A spec whose state could outgrow a row is refused
/// with the reason, at its path.
/// Conditions run on the event's bytes, with the contract's rules (<see cref="SpecConditions"/> is the same
/// meaning over a parsed document); <c>type</c> equality, the common case, compares the parsed attribute.
/// </summary>
public static class SpecCompiler
{
    /// <summary>The view model of a spec, or the reasons the fold cannot run it.</summary>
    public static bool TryCompile(ViewSpec spec, out ViewDefinition view, out IReadOnlyList<SpecProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(spec);
        view = null!;
        var filter = Filter(spec.Where);
        Aggregation aggregation;
        if (spec.Aggregates.Count == 1)
        {
            // One aggregate: its own condition narrows the events the view takes, and its answer is the view's value.
            var aggregate = spec.Aggregates[0];
            if (aggregate.Where is { } own)
            {
                filter = filter.And(Filter(own));
            }

            aggregation = Of(aggregate);
        }
        else
        {
            aggregation = Aggregation.Composite([
                .. spec.Aggregates.Select(a => new AggregatePart(
                    a.Name,
                    Filter(a.Where),
                    Of(a),
                    a.Field is { } f ? Field(f) : null
                )),
            ]);
        }

        var stateBytes = spec.Aggregates.Sum(WorstStateBytes);
        if (stateBytes > MaxStateBytes)
        {
            problems =
            [
                new(
                    "$.aggregates",
                    $"a key's state could reach {stateBytes / 1024:N0} KiB, beyond the {MaxStateBytes / 1024} KiB a "
                        + "row holds: use fewer distinct or approxDistinct aggregates, or a lower precision"
                ),
            ];
            return false;
        }

        problems = [];
        view = ViewDefinition
            .Named(spec.Name, spec.Version)
            .Where(filter)
            .Per(
                spec.Window switch
                {
                    SpecWindow.Minute => TimeWindow.Minute,
                    SpecWindow.Hour => TimeWindow.Hour,
                    SpecWindow.Day => TimeWindow.Day,
                    SpecWindow.Week => TimeWindow.Week,
                    _ => TimeWindow.Month,
                },
                [.. spec.By.Select(Field)]
            )
            .Describe(spec.Description ?? string.Empty)
            .DeclaredBy(spec)
            .Naming(
                spec.Aggregates.Count == 1 ? spec.Aggregates[0].Name : null,
                spec.Aggregates is [{ Field: { } only }] ? Field(only) : null
            )
            .Aggregate(aggregation);
        return true;
    }

    /// <summary>The most bytes one key's state may take in a row (each layer splits it over 64 KiB properties).
    /// </summary>
    public const int MaxStateBytes = 15 * 64 * 1024;

    private static Aggregation Of(SpecAggregate aggregate)
    {
        var field = aggregate.Field is { } f ? Field(f) : null;
        return aggregate.Op switch
        {
            SpecAggregateOp.Count => Aggregation.Count(),
            SpecAggregateOp.Sum => Aggregation.Sum(field!),
            SpecAggregateOp.Min => Aggregation.Min(field!),
            SpecAggregateOp.Max => Aggregation.Max(field!),
            SpecAggregateOp.Distinct => Aggregation.DistinctCount(field!),
            SpecAggregateOp.Avg => Aggregation.Average(field!),
            _ => Aggregation.HyperLogLog(field!, aggregate.Precision),
        };
    }

    /// <summary>The largest a state of the aggregate gets in a row: a distinct count keeps at most its stored
    /// members, a HyperLogLog sketch one byte per register, the rest a few dozen bytes.</summary>
    private static int WorstStateBytes(SpecAggregate aggregate) =>
        aggregate.Op switch
        {
            SpecAggregateOp.Distinct => (DistinctCountState.MaxStoredMembers * 16) + 64,
            SpecAggregateOp.ApproxDistinct => (1 << aggregate.Precision) + 64,
            _ => 64,
        };

    /// <summary>The view model of a spec; an error listing every reason when the fold cannot run it.</summary>
    /// <exception cref="ArgumentException">The fold cannot run the spec.</exception>
    public static ViewDefinition Compile(ViewSpec spec) =>
        TryCompile(spec, out var view, out var problems)
            ? view
            : throw new ArgumentException($"{spec.Id}: {string.Join("; ", problems)}", nameof(spec));

    /// <summary>The event field a spec's field names.</summary>
    public static EventField Field(SpecField field)
    {
        ArgumentNullException.ThrowIfNull(field);
        return field.Attribute is { } name ? EventField.Attribute(name) : EventField.DataPath(field.DataPath);
    }

    /// <summary>The filter of a condition (null: every event).</summary>
    public static EventFilter Filter(SpecCondition? condition) =>
        condition switch
        {
            null => EventFilter.All,
            SpecAll { Conditions.Count: 0 } => EventFilter.All,
            SpecAll all => all.Conditions.Select(Filter).Aggregate((a, b) => a.And(b)),
            SpecAny any => AnyOf([.. any.Conditions.Select(Filter)]),
            SpecNot not => Negate(Filter(not.Condition)),
            SpecPredicate { Field.Attribute: "type", Op: SpecOperator.Eq, Value.ValueKind: JsonValueKind.String } p =>
                EventFilter.OfType(p.Value!.Value.GetString()!),
            SpecPredicate predicate => Predicate(predicate),
            _ => throw new ArgumentOutOfRangeException(nameof(condition), condition, null),
        };

    private static EventFilter AnyOf(EventFilter[] filters) =>
        EventFilter.Where(
            filters.Length == 0 ? "no events" : $"({string.Join(" or ", filters.Select(f => f.Description))})",
            (in CloudEvent e) =>
            {
                foreach (var filter in filters)
                {
                    if (filter.Matches(e))
                    {
                        return true;
                    }
                }

                return false;
            }
        );

    private static EventFilter Negate(EventFilter inner) =>
        EventFilter.Where($"not ({inner.Description})", (in CloudEvent e) => !inner.Matches(e));

    private static EventFilter Predicate(SpecPredicate predicate)
    {
        var field = Field(predicate.Field);
        var op = predicate.Op;
        var values =
            predicate.Value is not { } value ? []
            : value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().Select(Expected.Of).ToArray()
            : [Expected.Of(value)];
        var description =
            $"{predicate.Field} {ViewSpecReader.OperatorName(op)}"
            + (predicate.Value is { } shown ? $" {shown.GetRawText()}" : string.Empty);
        return EventFilter.Where(
            description,
            (in CloudEvent e) =>
            {
                Span<byte> scratch = stackalloc byte[EventField.MaxValueBytes];
                var present = field.TryGetToken(e, scratch, out var type, out var actual) && type != JsonTokenType.Null;
                return op switch
                {
                    SpecOperator.Exists => present,
                    SpecOperator.Missing => !present,
                    _ when !present => false,
                    SpecOperator.Eq => values[0].Compare(type, actual) == 0,
                    SpecOperator.Ne => values[0].Compare(type, actual) is { } c && c != 0,
                    SpecOperator.In => AnyEqual(values, type, actual),
                    SpecOperator.NotIn => IsScalar(type) && !AnyEqual(values, type, actual),
                    SpecOperator.Gt => values[0].CompareNumber(type, actual) > 0,
                    SpecOperator.Ge => values[0].CompareNumber(type, actual) >= 0,
                    SpecOperator.Lt => values[0].CompareNumber(type, actual) < 0,
                    SpecOperator.Le => values[0].CompareNumber(type, actual) <= 0,
                    SpecOperator.StartsWith => type == JsonTokenType.String && actual.StartsWith(values[0].Utf8),
                    _ => false,
                };
            }
        );
    }

    private static bool AnyEqual(Expected[] values, JsonTokenType type, ReadOnlySpan<byte> actual)
    {
        foreach (var value in values)
        {
            if (value.Compare(type, actual) == 0)
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsScalar(JsonTokenType type) =>
        type is JsonTokenType.String or JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False;

    /// <summary>A spec's value, ready to compare with an event's token.</summary>
    private sealed record Expected(JsonValueKind Kind, byte[] Utf8, decimal Number)
    {
        public static Expected Of(JsonElement value) =>
            value.ValueKind switch
            {
                JsonValueKind.String => new(value.ValueKind, Encoding.UTF8.GetBytes(value.GetString()!), 0),
                JsonValueKind.Number => new(value.ValueKind, [], value.GetDecimal()),
                _ => new(value.ValueKind, [], 0),
            };

        /// <summary>0 when equal, non-zero when not, null for another JSON type (numbers as in
        /// <see cref="SpecConditions"/>: the event's number within <see cref="Amount"/>'s limits).</summary>
        public int? Compare(JsonTokenType type, ReadOnlySpan<byte> actual) =>
            Kind switch
            {
                JsonValueKind.String => type == JsonTokenType.String ? actual.SequenceCompareTo(Utf8) : null,
                JsonValueKind.Number => type == JsonTokenType.Number && Amount.TryParse(actual, out var n, out _)
                    ? n.CompareTo(Number)
                    : null,
                JsonValueKind.True => type is JsonTokenType.True ? 0
                : type is JsonTokenType.False ? 1
                : null,
                JsonValueKind.False => type is JsonTokenType.False ? 0
                : type is JsonTokenType.True ? 1
                : null,
                _ => null,
            };

        /// <summary>The event's number (or numeric string) compared with this number; null when it has none.</summary>
        public int? CompareNumber(JsonTokenType type, ReadOnlySpan<byte> actual) =>
            type is JsonTokenType.Number or JsonTokenType.String && Amount.TryParse(actual, out var n, out _)
                ? n.CompareTo(Number)
                : null;
    }
}
