using System.Buffers;

namespace Pipeline.Domain.Aggregations;

/// <summary>
/// The compact, versioned binary form of aggregate states: one byte of <see cref="AggregationKind"/>,
/// one byte of format version, then the kind's payload (varints, 16-byte decimals, sorted UTF-8 members,
/// sparse or dense HyperLogLog registers). Deterministic: equal states give equal bytes.
/// </summary>
/// <remarks>
/// Sizes: count 3-12 bytes; sum 18; min/max 3 or 19; HyperLogLog at p = 14 at most 16,388 (dense) and
/// about 3 bytes per non-zero register while sparse; distinct-count holds up to
/// <see cref="DistinctCountState.MaxStoredMembers"/> 16-byte fingerprints, beyond that its exact count
/// and a sketch. So every state except an exact <see cref="DistinctSetState"/> fits one 64 KiB Table
/// property; large exact sets are kept in Blob storage by the layer that stores them.
/// </remarks>
public static class StateCodec
{
    /// <summary>The format version of most kinds, written after the kind byte (a sum's is <see
    /// cref="SumState.ExactFormat"/>).</summary>
    public const byte FormatVersion = 1;

    /// <summary>The Table service's limit for one binary property.</summary>
    public const int MaxTablePropertyBytes = 64 * 1024;

    /// <summary>Serializes a state to a new array.</summary>
    public static byte[] Serialize(AggregateState state)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        Serialize(state, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Serializes a state into <paramref name="output"/>.</summary>
    public static void Serialize(AggregateState state, IBufferWriter<byte> output) =>
        Serialize(state, output, complete: false);

    /// <summary>
    /// Serializes a state keeping everything exact merges need, however large (a distinct count keeps all
    /// its members): the form for intermediate results in Blob storage, not for Table rows.
    /// </summary>
    public static byte[] SerializeComplete(AggregateState state)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        Serialize(state, buffer, complete: true);
        return buffer.WrittenSpan.ToArray();
    }

    internal static void Serialize(AggregateState state, IBufferWriter<byte> output, bool complete)
    {
        ArgumentNullException.ThrowIfNull(state);
        var writer = new StateWriter(output);
        writer.WriteByte((byte)state.Kind);
        writer.WriteByte(state.FormatVersion);
        if (complete)
        {
            state.WriteCompletePayload(writer);
        }
        else
        {
            state.WritePayload(writer);
        }
    }

    /// <summary>Reads a state; malformed or unknown input throws <see cref="InvalidDataException"/>.</summary>
    public static AggregateState Deserialize(ReadOnlySpan<byte> data)
    {
        var reader = new StateReader(data);
        var kind = (AggregationKind)reader.ReadByte();
        var version = reader.ReadByte();
        var expected = kind == AggregationKind.Sum ? SumState.ExactFormat : FormatVersion;
        if (version != expected && !(kind == AggregationKind.Sum && version == FormatVersion))
        {
            throw new InvalidDataException(
                $"aggregate state format version {version} of kind {kind} is not supported (expected {expected})"
            );
        }

        AggregateState state = kind switch
        {
            AggregationKind.Count => new CountState { Count = reader.ReadVarInt() },
            AggregationKind.Sum => version == SumState.ExactFormat
                ? SumState.FromUnits(reader.ReadInt128())
                : SumState.FromDecimal(reader.ReadDecimal()),
            AggregationKind.Min or AggregationKind.Max => ReadExtremum(ref reader, kind),
            AggregationKind.DistinctSet => DistinctSetState.Read(ref reader),
            AggregationKind.HyperLogLog => new HyperLogLogState(HyperLogLog.Read(ref reader)),
            AggregationKind.DistinctCount => DistinctCountState.Read(ref reader),
            AggregationKind.Average => AverageState.Read(ref reader),
            AggregationKind.Composite => CompositeState.Read(ref reader),
            _ => throw new InvalidDataException($"unknown aggregation kind {(byte)kind}"),
        };

        if (!reader.AtEnd)
        {
            throw new InvalidDataException($"aggregate state of kind {kind} has trailing bytes");
        }

        return state;
    }

    private static ExtremumState ReadExtremum(ref StateReader reader, AggregationKind kind)
    {
        var state = new ExtremumState(kind);
        if (reader.ReadByte() == 1)
        {
            state.Offer(reader.ReadDecimal());
        }

        return state;
    }
}
