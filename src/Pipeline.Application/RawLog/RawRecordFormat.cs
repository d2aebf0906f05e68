using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;

namespace Pipeline.Application.RawLog;

/// <summary>One line of the raw log: where an event sat in Event Hubs, and the event itself.</summary>
/// <param name="Partition">The partition.</param>
/// <param name="SequenceNumber">The sequence number in the partition.</param>
/// <param name="EnqueuedTime">The enqueued time.</param>
/// <param name="Event">The event's JSON, as received (line breaks outside strings turned into spaces).</param>
public readonly record struct RawRecord(
    int Partition,
    long SequenceNumber,
    DateTimeOffset EnqueuedTime,
    ReadOnlyMemory<byte> Event
);

/// <summary>
/// The raw log's line format: <c>{"p":0,"s":123,"t":"2026-11-21T14:05:00.0000000Z","e":{...event...}}</c>.
/// The event's bytes are copied, not re-encoded; the only change is that CR and LF bytes become spaces,
/// which keeps one event per line (a valid JSON event has line breaks only as whitespace).
/// </summary>
public static class RawRecordFormat
{
    /// <summary>Appends one line.</summary>
    public static void Write(
        IBufferWriter<byte> output,
        int partition,
        long sequenceNumber,
        DateTimeOffset enqueuedTime,
        ReadOnlySpan<byte> cloudEvent
    )
    {
        ArgumentNullException.ThrowIfNull(output);
        var header = output.GetSpan(96);
        var length = 0;
        Append(header, ref length, "{\"p\":"u8);
        Utf8Formatter.TryFormat(partition, header[length..], out var written);
        length += written;
        Append(header, ref length, ",\"s\":"u8);
        Utf8Formatter.TryFormat(sequenceNumber, header[length..], out written);
        length += written;
        Append(header, ref length, ",\"t\":\""u8);
        enqueuedTime.UtcDateTime.TryFormat(
            header[length..],
            out written,
            "yyyy-MM-ddTHH:mm:ss.fffffffZ",
            System.Globalization.CultureInfo.InvariantCulture
        );
        length += written;
        Append(header, ref length, "\",\"e\":"u8);
        output.Advance(length);

        var body = output.GetSpan(cloudEvent.Length + 2);
        cloudEvent.CopyTo(body);
        if (cloudEvent.ContainsAny((byte)'\r', (byte)'\n'))
        {
            body[..cloudEvent.Length].Replace((byte)'\r', (byte)' ');
            body[..cloudEvent.Length].Replace((byte)'\n', (byte)' ');
        }

        body[cloudEvent.Length] = (byte)'}';
        body[cloudEvent.Length + 1] = (byte)'\n';
        output.Advance(cloudEvent.Length + 2);
    }

    /// <summary>Reads one line (without its line break).</summary>
    /// <exception cref="InvalidDataException">The line is not a raw record.</exception>
    public static RawRecord Read(ReadOnlyMemory<byte> line)
    {
        var reader = new Utf8JsonReader(line.Span);
        int? partition = null;
        long? sequence = null;
        DateTimeOffset? enqueued = null;
        ReadOnlyMemory<byte> cloudEvent = default;
        try
        {
            reader.Read();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.ValueSpan;
                reader.Read();
                switch (name)
                {
                    case [(byte)'p']:
                        partition = reader.GetInt32();
                        break;
                    case [(byte)'s']:
                        sequence = reader.GetInt64();
                        break;
                    case [(byte)'t']:
                        enqueued = reader.GetDateTimeOffset();
                        break;
                    case [(byte)'e']:
                        var start = (int)reader.TokenStartIndex;
                        reader.Skip();
                        cloudEvent = line[start..(int)reader.BytesConsumed];
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"a raw log line is not valid JSON: {ex.Message}", ex);
        }

        if (partition is null || sequence is null || enqueued is null || cloudEvent.IsEmpty)
        {
            throw new InvalidDataException("a raw log line lacks one of p, s, t or e");
        }

        return new RawRecord(partition.Value, sequence.Value, enqueued.Value, cloudEvent);
    }

    private static void Append(Span<byte> target, ref int length, ReadOnlySpan<byte> text)
    {
        text.CopyTo(target[length..]);
        length += text.Length;
    }
}
