using System.Buffers.Text;
using System.Text.Json;

namespace Pipeline.Domain.Events;

/// <summary>
/// A value taken from an event for a view: the <c>subject</c>, or a top-level property of <c>data</c>.
/// Reads the event's bytes directly; nothing is allocated unless a string value contains escapes.
/// </summary>
public sealed class EventField
{
    /// <summary>The longest field value, in UTF-8 bytes, that a view uses as a key or member.</summary>
    public const int MaxValueBytes = 512;

    private readonly byte[]? _dataProperty;

    private EventField(string description, byte[]? dataProperty)
    {
        Description = description;
        _dataProperty = dataProperty;
    }

    /// <summary>The CloudEvent <c>subject</c> attribute.</summary>
    public static EventField Subject { get; } = new("subject", null);

    /// <summary>A top-level property of the event's <c>data</c> object, such as <c>amount</c>.</summary>
    public static EventField Data(string property)
    {
        ArgumentException.ThrowIfNullOrEmpty(property);
        return new EventField($"data.{property}", System.Text.Encoding.UTF8.GetBytes(property));
    }

    /// <summary>Where the value comes from, for example <c>data.amount</c>.</summary>
    public string Description { get; }

    /// <summary>
    /// Gets a string value as UTF-8. Values longer than <see cref="MaxValueBytes"/>, missing values and
    /// values of another JSON type yield false. <paramref name="scratch"/> (at least
    /// <see cref="MaxValueBytes"/> bytes) receives unescaped text when the JSON string has escapes.
    /// </summary>
    public bool TryGetString(in CloudEvent cloudEvent, Span<byte> scratch, out ReadOnlySpan<byte> value)
    {
        if (_dataProperty is null)
        {
            value = cloudEvent.Subject;
            return cloudEvent.HasSubject && value.Length <= MaxValueBytes;
        }

        value = default;
        if (cloudEvent.Data.IsEmpty)
        {
            return false;
        }

        var reader = new Utf8JsonReader(cloudEvent.Data);
        if (
            !SeekProperty(ref reader, _dataProperty)
            || reader.TokenType != JsonTokenType.String
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
    /// Gets an <see cref="Amount"/>: a JSON number, or a string holding one. False when the field is absent
    /// or JSON null (<paramref name="problem"/> empty), or holds something that is not an accepted amount
    /// (<paramref name="problem"/> says why).
    /// </summary>
    public bool TryGetAmount(in CloudEvent cloudEvent, out decimal value, out string problem)
    {
        value = 0;
        problem = string.Empty;
        if (_dataProperty is null || cloudEvent.Data.IsEmpty)
        {
            return false;
        }

        var reader = new Utf8JsonReader(cloudEvent.Data);
        if (!SeekProperty(ref reader, _dataProperty))
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

    private static bool SeekProperty(ref Utf8JsonReader reader, ReadOnlySpan<byte> name)
    {
        // The data was already validated as JSON by the parser, so the reader cannot throw here.
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
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
