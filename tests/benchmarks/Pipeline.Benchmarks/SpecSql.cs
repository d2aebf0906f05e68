using System.Globalization;
using System.Text.Json;
using Pipeline.Domain.Views.Specs;

namespace Pipeline.Benchmarks;

/// <summary>
/// A view spec as one DuckDB query over the raw log's events (column <c>e</c>, JSON): the peer computes each view
/// from the same spec the pipeline folds, not from a hand-written copy of it. The query answers one row per key
/// (<c>k</c>), the view's first aggregate (<c>v</c>) and the events it took (<c>n</c>).
/// </summary>
internal static class SpecSql
{
    public static string Query(ViewSpec spec, string events)
    {
        var time = "CAST(coalesce(e->>'time', t) AS TIMESTAMPTZ)";
        var key = $"strftime({time}, '{Format(spec.Window)}')";
        foreach (var by in spec.By)
        {
            key += $" || '|' || ({Text(by)})";
        }

        var conditions = new List<string> { Condition(spec.Where) };
        conditions.AddRange(
            spec.By.Select(by => $"json_type({Json(by)}) IN ('VARCHAR', 'BIGINT', 'UBIGINT', 'DOUBLE', 'BOOLEAN')")
        );
        var aggregate = spec.Aggregates[0];
        var value = Aggregate(aggregate);
        return $"SELECT {key} AS k, {value} AS v, count(*) AS n FROM {events} WHERE {string.Join(" AND ", conditions)} GROUP BY k";
    }

    private static string Format(SpecWindow window) =>
        window switch
        {
            SpecWindow.Minute => "%Y-%m-%dT%H:%M",
            SpecWindow.Hour => "%Y-%m-%dT%H",
            SpecWindow.Day => "%Y-%m-%d",
            SpecWindow.Week => "%G-W%V",
            _ => "%Y-%m",
        };

    private static string Aggregate(SpecAggregate aggregate)
    {
        var filter = aggregate.Where is null ? string.Empty : $" FILTER (WHERE {Condition(aggregate.Where)})";
        var number = aggregate.Field is { } f ? $"TRY_CAST({Text(f)} AS DECIMAL(38, 8))" : "1";
        return aggregate.Op switch
        {
            SpecAggregateOp.Count => $"count(*){filter}",
            SpecAggregateOp.Sum => $"sum({number}){filter}",
            SpecAggregateOp.Min => $"min({number}){filter}",
            SpecAggregateOp.Max => $"max({number}){filter}",
            SpecAggregateOp.Avg => $"round(avg({number}), 8){filter}",
            SpecAggregateOp.Distinct => $"count(DISTINCT {Text(aggregate.Field!)}){filter}",
            _ => $"approx_count_distinct({Text(aggregate.Field!)}){filter}",
        };
    }

    /// <summary>The field's JSON value (SQL NULL when absent).</summary>
    private static string Json(SpecField field) =>
        field.Attribute is { } attribute
            ? $"(e->'{Escape(attribute)}')"
            : $"(e->'data'{string.Concat(field.DataPath.Select(p => $"->'{Escape(p)}'"))})";

    /// <summary>The field's value as text (a string unquoted, a number or boolean by its JSON text).</summary>
    private static string Text(SpecField field) => $"({Json(field)}->>'$')";

    private static string Condition(SpecCondition? condition) =>
        condition switch
        {
            null => "TRUE",
            SpecAll all => all.Conditions.Count == 0
                ? "TRUE"
                : $"({string.Join(" AND ", all.Conditions.Select(Condition))})",
            SpecAny any => any.Conditions.Count == 0
                ? "FALSE"
                : $"({string.Join(" OR ", any.Conditions.Select(Condition))})",
            SpecNot not => $"(NOT coalesce({Condition(not.Condition)}, FALSE))",
            SpecPredicate predicate => $"coalesce({Predicate(predicate)}, FALSE)",
            _ => throw new ArgumentOutOfRangeException(nameof(condition)),
        };

    private static string Predicate(SpecPredicate predicate)
    {
        var (json, text) = (Json(predicate.Field), Text(predicate.Field));
        var number = $"TRY_CAST({text} AS DECIMAL(38, 8))";
        var values =
            predicate.Value is { ValueKind: JsonValueKind.Array } array ? [.. array.EnumerateArray()]
            : predicate.Value is { } one ? new[] { one }
            : [];
        string Equal(JsonElement value) =>
            value.ValueKind switch
            {
                JsonValueKind.String => $"(json_type({json}) = 'VARCHAR' AND {text} = '{Escape(value.GetString()!)}')",
                JsonValueKind.Number =>
                    $"(json_type({json}) IN ('BIGINT', 'UBIGINT', 'DOUBLE') AND {number} = {Number(value)})",
                JsonValueKind.True or JsonValueKind.False =>
                    $"(json_type({json}) = 'BOOLEAN' AND {text} = '{value.GetRawText()}')",
                _ => "FALSE",
            };
        return predicate.Op switch
        {
            SpecOperator.Exists => $"({json} IS NOT NULL AND json_type({json}) <> 'NULL')",
            SpecOperator.Missing => $"({json} IS NULL OR json_type({json}) = 'NULL')",
            SpecOperator.Eq or SpecOperator.In => $"({string.Join(" OR ", values.Select(Equal))})",
            SpecOperator.Ne => $"(json_type({json}) = '{JsonType(values[0])}' AND NOT {Equal(values[0])})",
            SpecOperator.NotIn =>
                $"(json_type({json}) IN ('VARCHAR', 'BIGINT', 'UBIGINT', 'DOUBLE', 'BOOLEAN') AND NOT ({string.Join(" OR ", values.Select(Equal))}))",
            SpecOperator.Gt => $"({number} > {Number(values[0])})",
            SpecOperator.Ge => $"({number} >= {Number(values[0])})",
            SpecOperator.Lt => $"({number} < {Number(values[0])})",
            SpecOperator.Le => $"({number} <= {Number(values[0])})",
            _ => $"(json_type({json}) = 'VARCHAR' AND starts_with({text}, '{Escape(values[0].GetString()!)}'))",
        };
    }

    private static string JsonType(JsonElement value) =>
        value.ValueKind switch
        {
            JsonValueKind.String => "VARCHAR",
            JsonValueKind.Number => "BIGINT",
            _ => "BOOLEAN",
        };

    private static string Number(JsonElement value) => value.GetDecimal().ToString(CultureInfo.InvariantCulture);

    private static string Escape(string text) => text.Replace("'", "''", StringComparison.Ordinal);
}
