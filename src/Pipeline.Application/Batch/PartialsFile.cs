using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Pipeline.Domain.Aggregations;
using Pipeline.Domain.Views;

namespace Pipeline.Application.Batch;

/// <summary>
/// A set of keyed partials in one blob, in the complete state form (exactly mergeable): the hand-over
/// between the batch layer's fold and write steps. Keys are sorted, so the content is deterministic.
/// Layout: a 4-byte mark of this format, then per key: key text, events, events timed by enqueue, skipped, state; the
/// key and the state length-prefixed. (Files without the mark, written before skipped values were counted, have no
/// skipped count.)
/// </summary>
internal static class PartialsFile
{
    // As a little-endian length, negative: no file of the earlier format starts with it.
    internal static ReadOnlySpan<byte> FormatMark => [0xFF, (byte)'P', (byte)'F', 2];

    /// <summary>Bytes of an entry's counts in the current format.</summary>
    internal const int CountBytes = 24;

    /// <summary>Bytes of an entry's counts in files without the mark (no skipped count).</summary>
    internal const int EarlierCountBytes = 16;

    public static byte[] Write(ViewDefinition view, IReadOnlyDictionary<ViewKey, ViewPartial> partials)
    {
        var output = new ArrayBufferWriter<byte>(1024);
        output.Write(FormatMark);
        foreach (var (key, partial) in partials.OrderBy(p => p.Key.Format(view.Window), StringComparer.Ordinal))
        {
            WriteBlock(output, Encoding.UTF8.GetBytes(key.Format(view.Window)));
            var counts = output.GetSpan(24);
            BinaryPrimitives.WriteInt64LittleEndian(counts, partial.Events);
            BinaryPrimitives.WriteInt64LittleEndian(counts[8..], partial.EventsTimedByEnqueue);
            BinaryPrimitives.WriteInt64LittleEndian(counts[16..], partial.Skipped);
            output.Advance(24);
            WriteBlock(output, StateCodec.SerializeComplete(partial.State));
        }

        return output.WrittenSpan.ToArray();
    }

    public static void MergeInto(ViewAccumulator accumulator, ReadOnlySpan<byte> data, string name)
    {
        var counted = data.StartsWith(FormatMark);
        var countBytes = counted ? CountBytes : EarlierCountBytes;
        data = counted ? data[FormatMark.Length..] : data;
        while (!data.IsEmpty)
        {
            var keyText = Encoding.UTF8.GetString(ReadBlock(ref data, name));
            if (data.Length < countBytes || !accumulator.View.TryParseKey(keyText, out var key, out var error))
            {
                throw new InvalidDataException($"partials '{name}' are damaged near key '{keyText}'");
            }

            var events = BinaryPrimitives.ReadInt64LittleEndian(data);
            var timed = BinaryPrimitives.ReadInt64LittleEndian(data[8..]);
            var skipped = counted ? BinaryPrimitives.ReadInt64LittleEndian(data[16..]) : 0;
            data = data[countBytes..];
            var state = StateCodec.Deserialize(ReadBlock(ref data, name));
            accumulator.Merge(key, new ViewPartial(state, events, timed, skipped));
        }
    }

    private static void WriteBlock(ArrayBufferWriter<byte> output, ReadOnlySpan<byte> block)
    {
        BinaryPrimitives.WriteInt32LittleEndian(output.GetSpan(4), block.Length);
        output.Advance(4);
        block.CopyTo(output.GetSpan(block.Length));
        output.Advance(block.Length);
    }

    private static ReadOnlySpan<byte> ReadBlock(ref ReadOnlySpan<byte> data, string name)
    {
        if (
            data.Length < 4
            || BinaryPrimitives.ReadInt32LittleEndian(data) is var length && (length < 0 || length > data.Length - 4)
        )
        {
            throw new InvalidDataException($"partials '{name}' are truncated");
        }

        var block = data.Slice(4, length);
        data = data[(4 + length)..];
        return block;
    }
}
