using System.Text.Json;

namespace Pipeline.Domain.Events;

/// <summary>
/// Parses and validates CloudEvents 1.0 structured-mode JSON with one forward pass of
/// <see cref="Utf8JsonReader"/>. Valid events allocate nothing; a refusal says exactly why.
/// </summary>
public static class CloudEventParser
{
    /// <summary>The largest accepted event body: 1 MiB, the Event Hubs per-event limit.</summary>
    public const int MaxEventBytes = 1024 * 1024;

    private const int MaxDepth = 64;

    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = MaxDepth };

    [Flags]
    private enum Seen
    {
        None = 0,
        SpecVersion = 1,
        Id = 2,
        Source = 4,
        Type = 8,
        Subject = 16,
        Time = 32,
        Data = 64,
    }

    /// <summary>Parses one event.</summary>
    /// <param name="utf8">The event body.</param>
    /// <param name="enqueuedTime">Used as the event time when the event has no <c>time</c>.</param>
    /// <param name="cloudEvent">The event, when valid.</param>
    /// <param name="rejection">Why the event was refused, when not valid.</param>
    public static bool TryParse(
        ReadOnlyMemory<byte> utf8,
        DateTimeOffset enqueuedTime,
        out CloudEvent cloudEvent,
        out EventRejection rejection
    )
    {
        cloudEvent = default;
        if (utf8.Length > MaxEventBytes)
        {
            rejection = new(
                RejectionReason.Oversize,
                $"the event is {utf8.Length} bytes; the limit is {MaxEventBytes} bytes (1 MiB)"
            );
            return false;
        }

        if (!System.Text.Unicode.Utf8.IsValid(utf8.Span))
        {
            rejection = new(
                RejectionReason.InvalidUtf8,
                $"the event is not valid UTF-8 (first bad byte at offset {FirstInvalidUtf8(utf8.Span)}): text must be "
                    + $"UTF-8, so that different values never read as the same one"
            );
            return false;
        }

        try
        {
            return TryParseCore(utf8, enqueuedTime, out cloudEvent, out rejection);
        }
        catch (InvalidOperationException ex)
        {
            // Unescaping an attribute whose \u escapes are not valid UTF-16 (a lone surrogate).
            rejection = new(
                RejectionReason.InvalidUtf8,
                $"an attribute escapes a lone UTF-16 surrogate, which is not text: {ex.Message}"
            );
            return false;
        }
        catch (JsonException ex)
        {
            // Malformed input is the only source of JsonException here; its message names the position.
            rejection = new(RejectionReason.InvalidJson, $"invalid JSON at byte {ex.BytePositionInLine}: {ex.Message}");
            return false;
        }
    }

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> utf8)
    {
        var offset = 0;
        while (offset < utf8.Length)
        {
            if (
                System.Text.Rune.DecodeFromUtf8(utf8[offset..], out _, out var consumed)
                != System.Buffers.OperationStatus.Done
            )
            {
                return offset;
            }

            offset += consumed;
        }

        return -1;
    }

    private static bool TryParseCore(
        ReadOnlyMemory<byte> utf8,
        DateTimeOffset enqueuedTime,
        out CloudEvent cloudEvent,
        out EventRejection rejection
    )
    {
        cloudEvent = default;
        var reader = new Utf8JsonReader(utf8.Span, ReaderOptions);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            rejection = new(RejectionReason.InvalidJson, "a CloudEvent must be a JSON object");
            return false;
        }

        var seen = Seen.None;
        ReadOnlyMemory<byte> id = default,
            source = default,
            type = default,
            subject = default,
            data = default;
        DateTimeOffset time = default;

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var attribute = Attribute(ref reader);
            reader.Read();
            if (attribute == Seen.None)
            {
                // Extension attributes and data_base64/datacontenttype/dataschema: kept in the raw log, unused by
                // views.
                reader.Skip();
                continue;
            }

            if ((seen & attribute) != 0)
            {
                rejection = new(
                    RejectionReason.InvalidAttribute,
                    $"attribute '{Name(attribute)}' appears more than once"
                );
                return false;
            }

            seen |= attribute;
            if (attribute == Seen.Data)
            {
                var start = (int)reader.TokenStartIndex;
                var isNull = reader.TokenType == JsonTokenType.Null;
                if (!SkipCheckingEscapes(ref reader))
                {
                    rejection = new(
                        RejectionReason.InvalidUtf8,
                        "a string in 'data' escapes a lone UTF-16 surrogate (such as \\ud800), which is not text"
                    );
                    return false;
                }

                data = isNull ? default : utf8[start..(int)reader.BytesConsumed];
                continue;
            }

            if (reader.TokenType != JsonTokenType.String)
            {
                rejection = new(
                    RejectionReason.InvalidAttribute,
                    $"attribute '{Name(attribute)}' must be a string, not {reader.TokenType}"
                );
                return false;
            }

            var value = StringValue(ref reader, utf8);
            switch (attribute)
            {
                case Seen.SpecVersion when !value.Span.SequenceEqual("1.0"u8):
                    rejection = new(RejectionReason.UnsupportedSpecVersion, "specversion must be \"1.0\"");
                    return false;
                case Seen.Id or Seen.Source or Seen.Type when value.IsEmpty:
                    rejection = new(
                        RejectionReason.InvalidAttribute,
                        $"attribute '{Name(attribute)}' must not be empty"
                    );
                    return false;
                case Seen.Id:
                    id = value;
                    break;
                case Seen.Source:
                    source = value;
                    break;
                case Seen.Type:
                    type = value;
                    break;
                case Seen.Subject:
                    subject = value;
                    break;
                case Seen.Time when !Rfc3339.TryParse(value.Span, out time):
                    rejection = new(
                        RejectionReason.InvalidTime,
                        "attribute 'time' is not an RFC 3339 timestamp (for example 2026-11-21T14:05:00Z)"
                    );
                    return false;
            }
        }

        // Trailing content after the object makes the reader throw, which reports invalid JSON.
        while (reader.Read()) { }

        const Seen required = Seen.SpecVersion | Seen.Id | Seen.Source | Seen.Type;
        if ((seen & required) != required)
        {
            rejection = new(
                RejectionReason.MissingAttribute,
                $"required attribute '{Name(required & ~seen)}' is missing"
            );
            return false;
        }

        var hasTime = (seen & Seen.Time) != 0;
        cloudEvent = new CloudEvent(
            utf8,
            id,
            source,
            type,
            subject,
            (seen & Seen.Subject) != 0,
            data,
            hasTime ? time : enqueuedTime.ToUniversalTime(),
            !hasTime
        );
        rejection = default;
        return true;
    }

    /// <summary>
    /// Skips a value like <see cref="Utf8JsonReader.Skip"/>, and checks that its escaped strings and names
    /// unescape to valid text (views read strings of <c>data</c> as keys; a lone surrogate cannot be one).
    /// Only escaped strings cost anything extra.
    /// </summary>
    private static bool SkipCheckingEscapes(ref Utf8JsonReader reader)
    {
        if (reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
        {
            return !reader.ValueIsEscaped || Unescapes(ref reader);
        }

        var depth = reader.CurrentDepth;
        while (
            reader.Read()
            && !(reader.CurrentDepth == depth && reader.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray)
        )
        {
            if (
                reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName
                && reader.ValueIsEscaped
                && !Unescapes(ref reader)
            )
            {
                return false;
            }
        }

        return true;
    }

    private static bool Unescapes(ref Utf8JsonReader reader)
    {
        var scratch = System.Buffers.ArrayPool<byte>.Shared.Rent(reader.ValueSpan.Length);
        try
        {
            reader.CopyString(scratch);
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    private static Seen Attribute(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped)
        {
            return EscapedAttribute(ref reader);
        }

        // Unescaped names (nearly all) are matched by length first, then by bytes.
        var name = reader.ValueSpan;
        return name.Length switch
        {
            2 when name.SequenceEqual("id"u8) => Seen.Id,
            4 when name.SequenceEqual("type"u8) => Seen.Type,
            4 when name.SequenceEqual("time"u8) => Seen.Time,
            4 when name.SequenceEqual("data"u8) => Seen.Data,
            6 when name.SequenceEqual("source"u8) => Seen.Source,
            7 when name.SequenceEqual("subject"u8) => Seen.Subject,
            11 when name.SequenceEqual("specversion"u8) => Seen.SpecVersion,
            _ => Seen.None,
        };
    }

    private static Seen EscapedAttribute(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("specversion"u8) ? Seen.SpecVersion
        : reader.ValueTextEquals("id"u8) ? Seen.Id
        : reader.ValueTextEquals("source"u8) ? Seen.Source
        : reader.ValueTextEquals("type"u8) ? Seen.Type
        : reader.ValueTextEquals("subject"u8) ? Seen.Subject
        : reader.ValueTextEquals("time"u8) ? Seen.Time
        : reader.ValueTextEquals("data"u8) ? Seen.Data
        : Seen.None;

    private static ReadOnlyMemory<byte> StringValue(ref Utf8JsonReader reader, ReadOnlyMemory<byte> utf8)
    {
        if (!reader.ValueIsEscaped)
        {
            // The token starts at the opening quote; the value follows it.
            return utf8.Slice((int)reader.TokenStartIndex + 1, reader.ValueSpan.Length);
        }

        var unescaped = new byte[reader.ValueSpan.Length];
        var written = reader.CopyString(unescaped);
        return unescaped.AsMemory(0, written);
    }

    private static string Name(Seen attribute)
    {
        // Reports the first missing attribute in the order the specification lists them.
        foreach (var (flag, name) in Names)
        {
            if ((attribute & flag) != 0)
            {
                return name;
            }
        }

        return attribute.ToString();
    }

    private static readonly (Seen Flag, string Name)[] Names =
    [
        (Seen.SpecVersion, "specversion"),
        (Seen.Id, "id"),
        (Seen.Source, "source"),
        (Seen.Type, "type"),
        (Seen.Subject, "subject"),
        (Seen.Time, "time"),
        (Seen.Data, "data"),
    ];
}
