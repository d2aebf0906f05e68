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
        if (!SeekProperty(ref reader, _dataProperty) || reader.TokenType != JsonTokenType.String
            || reader.ValueSpan.Length > MaxValueBytes)
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
    /// Gets a decimal value: a JSON number, or a string holding a plain decimal number (as money
    /// amounts often are). Parsing is exact; values beyond ±10^18 are refused so that sums of
    /// billions of them cannot overflow <see cref="decimal"/>.
    /// </summary>
    public bool TryGetDecimal(in CloudEvent cloudEvent, out decimal value)
    {
        value = 0;
        if (_dataProperty is null || cloudEvent.Data.IsEmpty)
        {
            return false;
        }

        var reader = new Utf8JsonReader(cloudEvent.Data);
        if (!SeekProperty(ref reader, _dataProperty))
        {
            return false;
        }

        var parsed = reader.TokenType switch
        {
            JsonTokenType.Number => reader.TryGetDecimal(out value),
            JsonTokenType.String when !reader.ValueIsEscaped =>
                Utf8Parser.TryParse(reader.ValueSpan, out value, out var consumed) && consumed == reader.ValueSpan.Length,
            _ => false,
        };
        return parsed && value is >= -MaxMagnitude and <= MaxMagnitude;
    }

    private const decimal MaxMagnitude = 1_000_000_000_000_000_000m;

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
