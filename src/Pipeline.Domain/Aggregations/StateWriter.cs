using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Pipeline.Domain.Aggregations;

/// <summary>Little-endian, varint-based writer for the binary form of aggregate states.</summary>
internal sealed class StateWriter(IBufferWriter<byte> output)
{
    public void WriteByte(byte value)
    {
        output.GetSpan(1)[0] = value;
        output.Advance(1);
    }

    /// <summary>Zig-zag LEB128, so small magnitudes of either sign take one or two bytes.</summary>
    public void WriteVarInt(long value) => WriteVarUInt((ulong)((value << 1) ^ (value >> 63)));

    public void WriteVarUInt(ulong value)
    {
        var span = output.GetSpan(10);
        var i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[i++] = (byte)value;
        output.Advance(i);
    }

    public void WriteDecimal(decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var span = output.GetSpan(16);
        for (var i = 0; i < 4; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(span[(i * 4)..], bits[i]);
        }

        output.Advance(16);
    }

    public void WriteInt128(Int128 value)
    {
        BinaryPrimitives.WriteInt128LittleEndian(output.GetSpan(16), value);
        output.Advance(16);
    }

    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(output.GetSpan(bytes.Length));
        output.Advance(bytes.Length);
    }

    public void WriteString(string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        WriteVarUInt((ulong)length);
        var span = output.GetSpan(length);
        Encoding.UTF8.GetBytes(value, span);
        output.Advance(length);
    }
}

/// <summary>Reads what <see cref="StateWriter"/> wrote; any inconsistency is an <see
/// cref="InvalidDataException"/>.</summary>
internal ref struct StateReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private int _position;

    public readonly bool AtEnd => _position == _data.Length;

    public byte ReadByte() => Take(1)[0];

    public long ReadVarInt()
    {
        var raw = ReadVarUInt();
        return (long)(raw >> 1) ^ -(long)(raw & 1);
    }

    public ulong ReadVarUInt()
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = ReadByte();
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new InvalidDataException("aggregate state has a malformed variable-length integer");
    }

    public int ReadLength(int max)
    {
        var length = ReadVarUInt();
        if (length > (ulong)max || length > (ulong)(_data.Length - _position))
        {
            throw new InvalidDataException(
                $"aggregate state declares a length of {length}, beyond its {_data.Length - _position} remaining bytes"
            );
        }

        return (int)length;
    }

    public decimal ReadDecimal()
    {
        var span = Take(16);
        Span<int> bits = stackalloc int[4];
        for (var i = 0; i < 4; i++)
        {
            bits[i] = BinaryPrimitives.ReadInt32LittleEndian(span[(i * 4)..]);
        }

        try
        {
            return new decimal(bits);
        }
        catch (ArgumentException ex)
        {
            throw new InvalidDataException("aggregate state holds an invalid decimal", ex);
        }
    }

    public Int128 ReadInt128() => BinaryPrimitives.ReadInt128LittleEndian(Take(16));

    public ReadOnlySpan<byte> ReadBytes(int count) => Take(count);

    public string ReadString() => Encoding.UTF8.GetString(Take(ReadLength(int.MaxValue)));

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > _data.Length - _position)
        {
            throw new InvalidDataException(
                $"aggregate state is truncated: needed {count} more bytes at offset {_position} of {_data.Length}"
            );
        }

        var span = _data.Slice(_position, count);
        _position += count;
        return span;
    }
}
