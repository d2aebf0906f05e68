using System.Text;
using System.Text.Json;
using Pipeline.Domain.Events;

namespace Pipeline.Domain.Views.Specs;

/// <summary>
/// Evaluates a spec's conditions on an event's JSON envelope, by the contract's rules: a comparison with a
/// missing field, or with a value of another JSON type, is false (<c>not</c> turns it true); numbers, and
/// strings holding one, compare exactly as decimals.
/// </summary>
public static class SpecConditions
{
    /// <summary>Whether <paramref name="condition"/> (null: none) holds for the event.</summary>
    public static bool Holds(SpecCondition? condition, JsonElement cloudEvent) =>
        condition switch
        {
            null => true,
            SpecAll all => all.Conditions.All(c => Holds(c, cloudEvent)),
            SpecAny any => any.Conditions.Any(c => Holds(c, cloudEvent)),
            SpecNot not => !Holds(not.Condition, cloudEvent),
            SpecPredicate predicate => Holds(predicate, cloudEvent),
            _ => throw new ArgumentOutOfRangeException(nameof(condition), condition, null),
        };

    /// <summary>A number as aggregates and comparisons use it: a JSON number or a string holding one, within
    /// the limits of <see cref="Amount"/>.</summary>
    public static bool TryGetNumber(JsonElement value, out decimal number)
    {
        number = 0;
        return value.ValueKind switch
        {
            JsonValueKind.Number => Amount.TryParse(Encoding.UTF8.GetBytes(value.GetRawText()), out number, out _),
            JsonValueKind.String => Amount.TryParse(Encoding.UTF8.GetBytes(value.GetString()!), out number, out _),
            _ => false,
        };
    }

    private static bool Holds(SpecPredicate predicate, JsonElement cloudEvent)
    {
        var present = predicate.Field.TryGet(cloudEvent, out var actual) && actual.ValueKind != JsonValueKind.Null;
        if (predicate.Op == SpecOperator.Exists)
        {
            return present;
        }

        if (predicate.Op == SpecOperator.Missing)
        {
            return !present;
        }

        if (!present || predicate.Value is not { } expected)
        {
            return false;
        }

        return predicate.Op switch
        {
            SpecOperator.Eq => Compare(actual, expected) == 0,
            SpecOperator.Ne => Compare(actual, expected) is { } c && c != 0,
            SpecOperator.In => expected.EnumerateArray().Any(v => Compare(actual, v) == 0),
            SpecOperator.NotIn => IsScalar(actual) && !expected.EnumerateArray().Any(v => Compare(actual, v) == 0),
            SpecOperator.Gt => Numeric(actual, expected) > 0,
            SpecOperator.Ge => Numeric(actual, expected) >= 0,
            SpecOperator.Lt => Numeric(actual, expected) < 0,
            SpecOperator.Le => Numeric(actual, expected) <= 0,
            SpecOperator.StartsWith => actual.ValueKind == JsonValueKind.String
                && actual.GetString()!.StartsWith(expected.GetString()!, StringComparison.Ordinal),
            _ => false,
        };
    }

    /// <summary>0 when equal, non-zero when not, null when the two are of different JSON types.</summary>
    private static int? Compare(JsonElement actual, JsonElement expected)
    {
        if (expected.ValueKind == JsonValueKind.Number)
        {
            return
                actual.ValueKind == JsonValueKind.Number
                && TryGetNumber(actual, out var a)
                && expected.TryGetDecimal(out var b)
                ? a.CompareTo(b)
                : null;
        }

        if (expected.ValueKind == JsonValueKind.String)
        {
            return actual.ValueKind == JsonValueKind.String
                ? string.CompareOrdinal(actual.GetString(), expected.GetString())
                : null;
        }

        var isBoolean = actual.ValueKind is JsonValueKind.True or JsonValueKind.False;
        return isBoolean ? (actual.ValueKind == expected.ValueKind ? 0 : 1) : null;
    }

    private static int? Numeric(JsonElement actual, JsonElement expected) =>
        TryGetNumber(actual, out var a) && expected.TryGetDecimal(out var b) ? a.CompareTo(b) : null;

    private static bool IsScalar(JsonElement value) =>
        value.ValueKind is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False;
}
