using System.Text.Json;

namespace Pipeline.Application.Ingest;

/// <summary>
/// Splits a <c>POST /api/events</c> body into event bodies without copying them: a JSON array of
/// CloudEvents (each element is an event), or NDJSON (each non-empty line is an event). Malformed
/// events inside are kept, to be quarantined with their reason. A body that is neither (empty, a
/// broken array, or lines none of which starts a JSON object) is refused whole.
/// </summary>
public static class EventBodySplitter
{
    /// <summary>Splits <paramref name="body"/>; on false, <paramref name="error"/> says why it is not JSON or
    /// NDJSON.</summary>
    public static bool TrySplit(ReadOnlyMemory<byte> body, out List<ReadOnlyMemory<byte>> events, out string error)
    {
        events = [];
        error = string.Empty;
        var start = body.Span.IndexOfAnyExcept(" \t\r\n"u8);
        if (start < 0)
        {
            error = "the body is empty; send a JSON array of CloudEvents or NDJSON (one CloudEvent per line)";
            return false;
        }

        return body.Span[start] == (byte)'['
            ? TrySplitArray(body, events, out error)
            : TrySplitLines(body, events, out error);
    }

    private static bool TrySplitArray(ReadOnlyMemory<byte> body, List<ReadOnlyMemory<byte>> events, out string error)
    {
        error = string.Empty;
        try
        {
            var reader = new Utf8JsonReader(body.Span, new JsonReaderOptions { MaxDepth = 66 });
            reader.Read();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                events.Add(body[start..(int)reader.BytesConsumed]);
            }

            while (reader.Read()) { }

            return true;
        }
        catch (JsonException ex)
        {
            events.Clear();
            error =
                $"the body starts a JSON array but is not valid JSON (byte {ex.BytePositionInLine} of line "
                + $"{ex.LineNumber + 1}): nothing was accepted";
            return false;
        }
    }

    private static bool TrySplitLines(ReadOnlyMemory<byte> body, List<ReadOnlyMemory<byte>> events, out string error)
    {
        error = string.Empty;
        var anyObject = false;
        var position = 0;
        var span = body.Span;
        while (position < span.Length)
        {
            var length = span[position..].IndexOf((byte)'\n');
            var end = length < 0 ? span.Length : position + length;
            var line = body[position..end];
            var trimmed = line.Span.Trim(" \t\r"u8);
            if (!trimmed.IsEmpty)
            {
                anyObject |= trimmed[0] == (byte)'{';
                events.Add(line.Length > 0 && line.Span[^1] == (byte)'\r' ? line[..^1] : line);
            }

            position = end + 1;
        }

        if (!anyObject)
        {
            events.Clear();
            error = "the body is neither a JSON array nor NDJSON: no line starts a JSON object";
            return false;
        }

        return true;
    }
}
