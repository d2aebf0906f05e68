using System.Text.Json;

namespace Pipeline.Application.Ingest;

/// <summary>
/// The Event Hubs partition key of an event: its <c>subject</c>, else its <c>id</c>, else the bytes
/// themselves (a malformed event, which ingest will quarantine). A producer's retry keeps its key, so it
/// lands in the same partition as its original, which is what exact de-duplication relies on.
/// </summary>
public static class EventPartitionKey
{
    /// <summary>The key's bytes, a slice of <paramref name="body"/>.</summary>
    public static ReadOnlySpan<byte> Of(ReadOnlySpan<byte> body)
    {
        ReadOnlySpan<byte> id = default;
        try
        {
            var reader = new Utf8JsonReader(body);
            if (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var isSubject = reader.ValueTextEquals("subject"u8);
                    var isId = reader.ValueTextEquals("id"u8);
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String && (isSubject || isId))
                    {
                        if (isSubject)
                        {
                            return reader.ValueSpan;
                        }

                        id = reader.ValueSpan;
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
            }
        }
        catch (JsonException)
        {
            // Malformed: fall through to what was found, or the bytes.
        }

        return id.IsEmpty ? body : id;
    }
}
