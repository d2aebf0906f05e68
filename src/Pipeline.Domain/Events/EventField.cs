using System.Buffers.Text;
using System.Text.Json;

namespace Pipeline.Domain.Events;

/// <summary>
/// A value taken from an event for a view: a CloudEvents attribute (<c>subject</c>, <c>type</c>, an extension
/// attribute by name), or a property of <c>data</c> at any depth (<c>data.customer.tier</c>). Reads the
/// event's bytes directly; nothing is allocated unless a string value contains escapes.
/// </summary>
public sealed class EventField
{
    /// <summary>The longest field value, in UTF-8 bytes, that a view uses as a key or member.</summary>
    public const int MaxValueBytes = 512;

    private readonly byte[][]? _dataPath;
    private readonly byte[]? _attribute;

    private EventField(string description, byte[][]? dataPath, byte[]? attribute)
    {
        Description = description;
        _dataPath = dataPath;
        _attribute = attribute;
    }

    /// <summary>The CloudEvent <c>subject</c> attribute.</summary>
    public static EventField Subject { get; } = new("subject", null, null);

    /// <summary>A top-level property of the event's <c>data</c> object, such as <c>amount</c>.</summary>
    public static EventField Data(string property)
    {
        ArgumentException.ThrowIfNullOrEmpty(property);
        return DataPath([property]);
    }

    /// <summary>A property of the event's <c>data</c> at a path of nested objects, such as
    /// <c>["customer", "tier"]</c>.</summary>
    public static EventField DataPath(IReadOnlyList<string> path)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentOutOfRangeException.ThrowIfZero(path.Count);
        return new EventField(
            $"data.{string.Join('.', path)}",
            [.. path.Select(p => System.Text.Encoding.UTF8.GetBytes(p))],
            null
        );
    }

    /// <summary>A CloudEvents attribute by name (<c>subject</c>, <c>id</c>, <c>source</c>, <c>type</c>, <c>time</c>, an
    /// extension attribute).</summary>
    public static EventField Attribute(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return name == "subject" ? Subject : new EventField(name, null, System.Text.Encoding.UTF8.GetBytes(name));
    }

    /// <summary>Where the value comes from, for example <c>data.amount</c>.</summary>
    public string Description { get; }

    /// <summary>
    /// Gets a value as UTF-8: a string's text, or a number's or a boolean's JSON text. Values longer than
    /// <see cref="MaxValueBytes"/>, missing values, null, objects and arrays yield false. <paramref name="scratch"/>
    /// (at least <see cref="MaxValueBytes"/> bytes) receives unescaped text when the JSON string has escapes.
    /// </summary>
    public bool TryGetString(in CloudEvent cloudEvent, Span<byte> scratch, out ReadOnlySpan<byte> value)
    {
        if (_dataPath is null && _attribute is null)
        {
            value = cloudEvent.Subject;
            return cloudEvent.HasSubject && value.Length <= MaxValueBytes;
        }

        value = default;
        var source = _dataPath is null ? cloudEvent.Utf8.Span : cloudEvent.Data;
        var reader = new Utf8JsonReader(source);
        if (
            source.IsEmpty
            || !Seek(ref reader)
            || reader.TokenType
                is not (JsonTokenType.String or JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False)
            || reader.ValueSpan.Length > MaxValueBytes
        )
        {
            return false;
        }

        if (!reader.ValueIsEscaped)
        {
            value = reader.ValueSpan;
            return true;
        }

        var written = reader.CopyString(scratch);
        value = scratch[..written];
        return true;
    }

    /// <summary>
    /// Gets the field's JSON token: its type and, for a string, number or boolean, its text (a string unescaped,
    /// into <paramref name="scratch"/> when it has escapes and fits, else into a new array). False when the
    /// event has no such field.
    /// </summary>
    public bool TryGetToken(
        in CloudEvent cloudEvent,
        Span<byte> scratch,
        out JsonTokenType type,
        out ReadOnlySpan<byte> value
    )
    {
        value = default;
        type = JsonTokenType.None;
        if (_dataPath is null && _attribute is null)
        {
            value = cloudEvent.Subject;
            type = JsonTokenType.String;
            return cloudEvent.HasSubject;
        }

        var source = _dataPath is null ? cloudEvent.Utf8.Span : cloudEvent.Data;
        var reader = new Utf8JsonReader(source);
        if (source.IsEmpty || !Seek(ref reader))
        {
            return false;
        }

        type = reader.TokenType;
        if (type != JsonTokenType.String || !reader.ValueIsEscaped)
        {
            value = reader.ValueSpan;
            return true;
        }

        if (reader.ValueSpan.Length <= scratch.Length)
        {
            value = scratch[..reader.CopyString(scratch)];
            return true;
        }

        value = System.Text.Encoding.UTF8.GetBytes(reader.GetString()!);
        return true;
    }

    /// <summary>True when the event holds a value here (present and not JSON null), usable or not.</summary>
    public bool HasValue(in CloudEvent cloudEvent)
    {
        Span<byte> scratch = stackalloc byte[MaxValueBytes];
        return TryGetToken(cloudEvent, scratch, out var type, out _) && type != JsonTokenType.Null;
    }

    /// <summary>
    /// Gets an <see cref="Amount"/>: a JSON number, or a string holding one. False when the field is absent
    /// or JSON null (<paramref name="problem"/> empty), or holds something that is not an accepted amount
    /// (<paramref name="problem"/> says why).
    /// </summary>
    public bool TryGetAmount(in CloudEvent cloudEvent, out decimal value, out string problem)
    {
        value = 0;
        problem = string.Empty;
        if (_dataPath is null && _attribute is null)
        {
            return false;
        }

        var source = _dataPath is null ? cloudEvent.Utf8.Span : cloudEvent.Data;
        var reader = new Utf8JsonReader(source);
        if (source.IsEmpty || !Seek(ref reader))
        {
            return false;
        }

        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return false;
            case JsonTokenType.Number:
                return Amount.TryParse(reader.ValueSpan, out value, out problem);
            case JsonTokenType.String when !reader.ValueIsEscaped:
                return Amount.TryParse(reader.ValueSpan, out value, out problem);
            default:
                problem = "is not a number";
                return false;
        }
    }

    /// <summary>Gets an accepted amount (see <see cref="TryGetAmount"/>); false for anything else.</summary>
    public bool TryGetDecimal(in CloudEvent cloudEvent, out decimal value) =>
        TryGetAmount(cloudEvent, out value, out _);

    /// <inheritdoc />
    public override string ToString() => Description;

    /// <summary>Moves the reader to the field's value: an attribute of the envelope, or the end of the data
    /// path through nested objects.</summary>
    private bool Seek(ref Utf8JsonReader reader)
    {
        // The event was already validated as JSON by the parser, so the reader cannot throw here.
        if (!reader.Read())
        {
            return false;
        }

        if (_attribute is not null)
        {
            return SeekProperty(ref reader, _attribute);
        }

        foreach (var name in _dataPath!)
        {
            if (!SeekProperty(ref reader, name))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>At the start of an object, moves to the value of its property <paramref name="name"/>.</summary>
    private static bool SeekProperty(ref Utf8JsonReader reader, ReadOnlySpan<byte> name)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var match = reader.ValueTextEquals(name);
            reader.Read();
            if (match)
            {
                return true;
            }

            reader.Skip();
        }

        return false;
    }
}
