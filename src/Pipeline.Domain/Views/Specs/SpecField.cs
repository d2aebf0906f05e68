using System.Text.Json;

namespace Pipeline.Domain.Views.Specs;

/// <summary>
/// A field of an event a spec names: a CloudEvents attribute (<c>id</c>, <c>source</c>, <c>type</c>,
/// <c>subject</c>, <c>time</c>, any extension attribute by name), or a path into <c>data</c>
/// (<c>data.customer.tier</c>).
/// </summary>
public sealed class SpecField
{
    private SpecField(string text, string? attribute, string[] dataPath)
    {
        Text = text;
        Attribute = attribute;
        DataPath = dataPath;
    }

    /// <summary>The field as written, such as <c>data.amount</c>.</summary>
    public string Text { get; }

    /// <summary>The attribute's name, or null for a <c>data.</c> path.</summary>
    public string? Attribute { get; }

    /// <summary>The property names under <c>data</c>, or empty for an attribute.</summary>
    public IReadOnlyList<string> DataPath { get; }

    /// <summary>Reads a field's text; <paramref name="problem"/> says what is wrong with it.</summary>
    public static bool TryParse(string text, out SpecField field, out string problem)
    {
        field = null!;
        problem = string.Empty;
        if (text.StartsWith("data.", StringComparison.Ordinal))
        {
            var path = text["data.".Length..].Split('.');
            if (path.Any(string.IsNullOrEmpty))
            {
                problem = $"'{Quote.Shorten(text)}' has an empty property name in its data path";
                return false;
            }

            field = new SpecField(text, null, path);
            return true;
        }

        // CloudEvents attribute names: lower-case ASCII letters and digits, at most 20 (the spec's own limit).
        if (text.Length is 0 or > 20 || !text.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c)))
        {
            problem =
                $"'{Quote.Shorten(text)}' is neither a CloudEvents attribute (a-z and 0-9, at most 20) "
                + "nor a data. path";
            return false;
        }

        if (text == "data")
        {
            problem = "'data' is the whole payload: name a property in it, such as data.amount";
            return false;
        }

        field = new SpecField(text, text, []);
        return true;
    }

    /// <summary>The field's value in an event (its JSON envelope), or false when the event has none.</summary>
    public bool TryGet(JsonElement cloudEvent, out JsonElement value)
    {
        value = default;
        if (cloudEvent.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        if (Attribute is not null)
        {
            return cloudEvent.TryGetProperty(Attribute, out value);
        }

        if (!cloudEvent.TryGetProperty("data", out var current))
        {
            return false;
        }

        foreach (var name in DataPath)
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(name, out current))
            {
                return false;
            }
        }

        value = current;
        return true;
    }

    /// <inheritdoc />
    public override string ToString() => Text;
}
