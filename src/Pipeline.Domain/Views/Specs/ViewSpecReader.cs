using System.Text.Json;

namespace Pipeline.Domain.Views.Specs;

/// <summary>A spec read: the spec when valid, else every problem found, each at its JSON path.</summary>
/// <param name="Spec">The spec, or null when there are problems.</param>
/// <param name="Problems">Every problem found; empty when the spec is valid.</param>
public sealed record SpecReading(ViewSpec? Spec, IReadOnlyList<SpecProblem> Problems)
{
    /// <summary>Whether the spec is valid.</summary>
    public bool IsValid => Spec is not null;
}

/// <summary>
/// Reads a view spec and checks every rule of the contract, reporting all problems at once with their
/// JSON paths, so a person fixes a file in one pass. Unknown properties are problems too: a misspelt
/// <c>"were"</c> must not silently take every event.
/// </summary>
public static class ViewSpecReader
{
    /// <summary>The largest spec, in bytes.</summary>
    public const int MaxSpecBytes = 64 * 1024;

    /// <summary>The most fields in <c>by</c>.</summary>
    public const int MaxByFields = 3;

    /// <summary>The most aggregates.</summary>
    public const int MaxAggregates = 16;

    /// <summary>The most predicates in all of a spec's conditions together.</summary>
    public const int MaxPredicates = 64;

    /// <summary>The deepest nesting of <c>all</c>, <c>any</c> and <c>not</c>.</summary>
    public const int MaxDepth = 8;

    /// <summary>Reads a spec from its UTF-8 JSON.</summary>
    public static SpecReading Read(ReadOnlyMemory<byte> utf8)
    {
        if (utf8.Length > MaxSpecBytes)
        {
            return Invalid("$", $"the spec is {utf8.Length} bytes; the limit is {MaxSpecBytes}");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line ? $" (line {line + 1}, byte {ex.BytePositionInLine + 1})" : "";
            return Invalid("$", $"not JSON{where}");
        }

        using (document)
        {
            var reading = new Reading();
            var spec = reading.Spec(document.RootElement);
            return reading.Problems.Count == 0 && spec is not null
                ? new SpecReading(spec with { Document = utf8.ToArray() }, [])
                : new SpecReading(null, reading.Problems);
        }
    }

    /// <summary>Reads a spec from its JSON text.</summary>
    public static SpecReading Read(string json) => Read(System.Text.Encoding.UTF8.GetBytes(json));

    private static SpecReading Invalid(string path, string message) => new(null, [new SpecProblem(path, message)]);

    private sealed class Reading
    {
        private int _predicates;

        public List<SpecProblem> Problems { get; } = [];

        public ViewSpec? Spec(JsonElement root)
        {
            if (!IsObject(root, "$", "a view spec"))
            {
                return null;
            }

            // "$schema" lets an editor find the schema that validates the file; it is not part of the view.
            Known(root, "$", "$schema", "name", "version", "description", "where", "window", "by", "aggregates");
            var name = Name(root);
            var version = Version(root);
            string? description = null;
            if (root.TryGetProperty("description", out var text))
            {
                if (text.ValueKind == JsonValueKind.String)
                {
                    description = text.GetString();
                }
                else
                {
                    Problem("$.description", "must be a string");
                }
            }

            var where = root.TryGetProperty("where", out var condition) ? Condition(condition, "$.where", 1) : null;
            var window = Window(root);
            var by = By(root);
            var aggregates = Aggregates(root);
            return Problems.Count == 0
                ? new ViewSpec(name!, version, description, where, window, by, aggregates)
                : null;
        }

        private string? Name(JsonElement root)
        {
            if (!root.TryGetProperty("name", out var name))
            {
                Problem("$.name", "is required");
                return null;
            }

            var text = name.ValueKind == JsonValueKind.String ? name.GetString()! : null;
            if (
                text is null
                || text.Length is 0 or > 63
                || !char.IsAsciiLetterLower(text[0])
                || !text.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')
            )
            {
                Problem("$.name", "must be 1-63 characters of a-z, 0-9 and '-', starting with a letter");
            }

            return text;
        }

        private int Version(JsonElement root)
        {
            if (!root.TryGetProperty("version", out var version))
            {
                Problem("$.version", "is required");
                return 0;
            }

            if (version.ValueKind != JsonValueKind.Number || !version.TryGetInt32(out var number) || number < 1)
            {
                Problem("$.version", "must be a whole number from 1");
                return 0;
            }

            return number;
        }

        private SpecWindow Window(JsonElement root)
        {
            if (!root.TryGetProperty("window", out var window))
            {
                Problem("$.window", "is required: minute, hour, day, week or month");
                return default;
            }

            if (window.ValueKind == JsonValueKind.String && Windows.TryGetValue(window.GetString()!, out var known))
            {
                return known;
            }

            Problem("$.window", "must be minute, hour, day, week or month");
            return default;
        }

        private List<SpecField> By(JsonElement root)
        {
            var fields = new List<SpecField>();
            if (!root.TryGetProperty("by", out var by))
            {
                return fields;
            }

            if (by.ValueKind != JsonValueKind.Array)
            {
                Problem("$.by", "must be an array of fields");
                return fields;
            }

            if (by.GetArrayLength() > MaxByFields)
            {
                Problem("$.by", $"has {by.GetArrayLength()} fields; at most {MaxByFields}");
            }

            var index = 0;
            foreach (var item in by.EnumerateArray())
            {
                if (Field(item, $"$.by[{index}]") is { } field)
                {
                    fields.Add(field);
                }

                index++;
            }

            return fields;
        }

        private List<SpecAggregate> Aggregates(JsonElement root)
        {
            var aggregates = new List<SpecAggregate>();
            if (!root.TryGetProperty("aggregates", out var list))
            {
                Problem("$.aggregates", "is required: at least one aggregate");
                return aggregates;
            }

            if (list.ValueKind != JsonValueKind.Array || list.GetArrayLength() is 0)
            {
                Problem("$.aggregates", "must be an array of one or more aggregates");
                return aggregates;
            }

            if (list.GetArrayLength() > MaxAggregates)
            {
                Problem("$.aggregates", $"has {list.GetArrayLength()} aggregates; at most {MaxAggregates}");
            }

            var names = new HashSet<string>(StringComparer.Ordinal);
            var index = 0;
            foreach (var item in list.EnumerateArray())
            {
                var path = $"$.aggregates[{index++}]";
                if (Aggregate(item, path) is { } aggregate)
                {
                    if (!names.Add(aggregate.Name))
                    {
                        Problem($"{path}.name", $"'{aggregate.Name}' is the name of an earlier aggregate");
                    }

                    aggregates.Add(aggregate);
                }
            }

            return aggregates;
        }

        private SpecAggregate? Aggregate(JsonElement item, string path)
        {
            if (!IsObject(item, path, "an aggregate"))
            {
                return null;
            }

            Known(item, path, "name", "op", "field", "where", "precision");
            var before = Problems.Count;
            string? name = null;
            if (!item.TryGetProperty("name", out var nameValue))
            {
                Problem($"{path}.name", "is required");
            }
            else if (
                nameValue.ValueKind != JsonValueKind.String
                || nameValue.GetString() is not { Length: > 0 and <= 63 } text
                || !char.IsAsciiLetterLower(text[0])
                || !text.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-')
            )
            {
                Problem($"{path}.name", "must be 1-63 characters of a-z, A-Z, 0-9, '_' and '-', starting with a-z");
            }
            else
            {
                name = text;
            }

            SpecAggregateOp? op = null;
            if (!item.TryGetProperty("op", out var opValue))
            {
                Problem($"{path}.op", "is required: count, sum, min, max, avg, distinct or approxDistinct");
            }
            else if (
                opValue.ValueKind != JsonValueKind.String
                || !AggregateOps.TryGetValue(opValue.GetString()!, out var o)
            )
            {
                Problem($"{path}.op", "must be count, sum, min, max, avg, distinct or approxDistinct");
            }
            else
            {
                op = o;
            }

            SpecField? field = null;
            if (item.TryGetProperty("field", out var fieldValue))
            {
                field = Field(fieldValue, $"{path}.field");
                if (op == SpecAggregateOp.Count)
                {
                    Problem($"{path}.field", "count counts events and takes no field (give it a where instead)");
                }
            }
            else if (op is { } needsField && needsField != SpecAggregateOp.Count)
            {
                Problem($"{path}.field", $"{OpName(needsField)} needs a field");
            }

            var precision = SpecAggregate.DefaultPrecision;
            if (item.TryGetProperty("precision", out var precisionValue))
            {
                if (op != SpecAggregateOp.ApproxDistinct)
                {
                    Problem($"{path}.precision", "only approxDistinct takes a precision");
                }
                else if (
                    precisionValue.ValueKind != JsonValueKind.Number
                    || !precisionValue.TryGetInt32(out precision)
                    || precision is < 4 or > 18
                )
                {
                    Problem($"{path}.precision", "must be a whole number from 4 to 18");
                }
            }

            var where = item.TryGetProperty("where", out var condition)
                ? Condition(condition, $"{path}.where", 1)
                : null;
            return Problems.Count == before && name is not null && op is { } known
                ? new SpecAggregate(name, known, field, where, precision)
                : null;
        }

        private SpecCondition? Condition(JsonElement item, string path, int depth)
        {
            if (!IsObject(item, path, "a condition: { field, op, value }, { all }, { any } or { not }"))
            {
                return null;
            }

            if (depth > MaxDepth)
            {
                Problem(path, $"conditions nest deeper than {MaxDepth}");
                return null;
            }

            foreach (var combinator in (string[])["all", "any", "not"])
            {
                if (!item.TryGetProperty(combinator, out var inner))
                {
                    continue;
                }

                Known(item, path, combinator);
                if (combinator == "not")
                {
                    return Condition(inner, $"{path}.not", depth + 1) is { } negated ? new SpecNot(negated) : null;
                }

                if (inner.ValueKind != JsonValueKind.Array)
                {
                    Problem($"{path}.{combinator}", "must be an array of conditions");
                    return null;
                }

                var conditions = new List<SpecCondition>();
                var index = 0;
                foreach (var element in inner.EnumerateArray())
                {
                    if (Condition(element, $"{path}.{combinator}[{index}]", depth + 1) is { } c)
                    {
                        conditions.Add(c);
                    }

                    index++;
                }

                return combinator == "all" ? new SpecAll(conditions) : new SpecAny(conditions);
            }

            return Predicate(item, path);
        }

        private SpecPredicate? Predicate(JsonElement item, string path)
        {
            Known(item, path, "field", "op", "value");
            if (++_predicates == MaxPredicates + 1)
            {
                Problem(path, $"the spec has more than {MaxPredicates} predicates");
            }

            var before = Problems.Count;
            SpecField? field = null;
            if (item.TryGetProperty("field", out var fieldValue))
            {
                field = Field(fieldValue, $"{path}.field");
            }
            else
            {
                Problem($"{path}.field", "is required");
            }

            if (!item.TryGetProperty("op", out var opValue))
            {
                Problem($"{path}.op", "is required");
                return null;
            }

            if (opValue.ValueKind != JsonValueKind.String || !Operators.TryGetValue(opValue.GetString()!, out var op))
            {
                Problem($"{path}.op", "must be eq, ne, in, notIn, gt, ge, lt, le, startsWith, exists or missing");
                return null;
            }

            var hasValue = item.TryGetProperty("value", out var value);
            var valuePath = $"{path}.value";
            switch (op)
            {
                case SpecOperator.Exists or SpecOperator.Missing:
                    if (hasValue)
                    {
                        Problem(valuePath, $"{OperatorName(op)} takes no value");
                    }

                    break;
                case SpecOperator.In or SpecOperator.NotIn:
                    if (!hasValue || value.ValueKind != JsonValueKind.Array || value.GetArrayLength() == 0)
                    {
                        Problem(valuePath, $"{OperatorName(op)} needs an array of one or more values");
                    }
                    else if (value.EnumerateArray().Any(v => !IsScalar(v)))
                    {
                        Problem(valuePath, "every value must be a string, a number or true or false");
                    }

                    break;
                case SpecOperator.Gt or SpecOperator.Ge or SpecOperator.Lt or SpecOperator.Le:
                    if (!hasValue || value.ValueKind != JsonValueKind.Number || !value.TryGetDecimal(out _))
                    {
                        Problem(valuePath, $"{OperatorName(op)} needs a number");
                    }

                    break;
                case SpecOperator.StartsWith:
                    if (!hasValue || value.ValueKind != JsonValueKind.String)
                    {
                        Problem(valuePath, "startsWith needs a string");
                    }

                    break;
                default:
                    if (!hasValue || !IsScalar(value))
                    {
                        Problem(valuePath, $"{OperatorName(op)} needs a string, a number or true or false");
                    }

                    break;
            }

            return Problems.Count == before && field is not null
                ? new SpecPredicate(field, op, hasValue ? value.Clone() : null)
                : null;
        }

        private SpecField? Field(JsonElement value, string path)
        {
            if (value.ValueKind != JsonValueKind.String)
            {
                Problem(path, "must be a field name: a CloudEvents attribute or a data. path");
                return null;
            }

            if (!SpecField.TryParse(value.GetString()!, out var field, out var problem))
            {
                Problem(path, problem);
                return null;
            }

            return field;
        }

        private bool IsObject(JsonElement value, string path, string what)
        {
            if (value.ValueKind == JsonValueKind.Object)
            {
                return true;
            }

            Problem(path, $"must be an object: {what}");
            return false;
        }

        private void Known(JsonElement value, string path, params string[] names)
        {
            foreach (var property in value.EnumerateObject())
            {
                if (!names.Contains(property.Name, StringComparer.Ordinal))
                {
                    Problem(
                        $"{path}.{property.Name}",
                        $"is not a property here; there are: {string.Join(", ", names)}"
                    );
                }
            }
        }

        private void Problem(string path, string message) => Problems.Add(new SpecProblem(path, message));

        private static bool IsScalar(JsonElement value) =>
            value.ValueKind is JsonValueKind.String or JsonValueKind.True or JsonValueKind.False
            || (value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out _));
    }

    private static readonly Dictionary<string, SpecWindow> Windows = Enum.GetValues<SpecWindow>()
        .ToDictionary(w => w.ToString().ToLowerInvariant(), StringComparer.Ordinal);

    private static readonly Dictionary<string, SpecAggregateOp> AggregateOps = Enum.GetValues<SpecAggregateOp>()
        .ToDictionary(OpName, StringComparer.Ordinal);

    private static readonly Dictionary<string, SpecOperator> Operators = Enum.GetValues<SpecOperator>()
        .ToDictionary(OperatorName, StringComparer.Ordinal);

    /// <summary>An aggregate's name in a spec, such as <c>approxDistinct</c>.</summary>
    public static string OpName(SpecAggregateOp op) => CamelCase(op.ToString());

    /// <summary>An operator's name in a spec, such as <c>notIn</c>.</summary>
    public static string OperatorName(SpecOperator op) => CamelCase(op.ToString());

    private static string CamelCase(string name) => char.ToLowerInvariant(name[0]) + name[1..];
}
