using System.Buffers.Binary;
using Pipeline.Domain.Events;
using Pipeline.Domain.Hashing;

namespace Pipeline.Domain.Aggregations;

internal sealed class DistinctCountAggregation(EventField valueField) : Aggregation
{
    public override AggregationKind Kind => AggregationKind.DistinctCount;

    public override string Description => $"distinct-count({valueField})";

    public override AggregateState Zero() => new DistinctCountState();

    public override bool Add(AggregateState state, in CloudEvent cloudEvent)
    {
        Span<byte> scratch = stackalloc byte[EventField.MaxValueBytes];
        if (!valueField.TryGetString(cloudEvent, scratch, out var value))
        {
            return false;
        }

        As<DistinctCountState>(state).AddUtf8(value);
        return true;
    }
}

/// <summary>
/// A distinct count that is exact while its members are known and a HyperLogLog estimate otherwise.
/// Members are 128-bit <see cref="Fingerprint"/>s, so adding allocates nothing and the state's size
/// does not depend on how long the values are. The sketch is derived from the members only when it
/// is needed: when the members exceed <see cref="MaxStoredMembers"/> and the binary form keeps the
/// exact count plus the sketch instead (so a row fits one 64 KiB Table property), or when a partial
/// that lost its members is merged in. Such merges are approximate, and the result says so.
/// </summary>
public sealed class DistinctCountState : AggregateState
{
    /// <summary>The most members the binary form holds (16 bytes each, within 46 KiB).</summary>
    public const int MaxStoredMembers = 46 * 1024 / 16;

    private FingerprintSet? _members = new();
    private HyperLogLog? _sketch;
    private long _countWithoutMembers;

    /// <summary>Whether the count is exact.</summary>
    public bool IsExact { get; private set; } = true;

    /// <summary>Whether the members are known (false after they were dropped from storage).</summary>
    public bool HasMembers => _members is not null;

    /// <inheritdoc />
    public override AggregationKind Kind => AggregationKind.DistinctCount;

    /// <inheritdoc />
    public override bool IsEmpty => IsExact && ExactCount == 0;

    private long ExactCount => _members?.Count ?? _countWithoutMembers;

    /// <inheritdoc />
    public override AggregateResult Result
    {
        get
        {
            if (IsExact)
            {
                return new(ExactCount);
            }

            var sketch = Sketch();
            return new(decimal.Round((decimal)sketch.Estimate()), IsApproximate: true, sketch.StandardError);
        }
    }

    /// <summary>Adds one UTF-8 value.</summary>
    public void AddUtf8(ReadOnlySpan<byte> utf8) => AddFingerprint(Fingerprint.Of(utf8));

    /// <summary>Adds one fingerprinted value.</summary>
    public void AddFingerprint(UInt128 fingerprint)
    {
        if (_members is not null)
        {
            _members.Add(fingerprint);
            return;
        }

        // The members were dropped from storage: a new value may or may not be among them.
        Sketch().AddHash(Fingerprint.SketchHash(fingerprint));
        IsExact = false;
    }

    /// <summary>The sketch of every member, built from the members when they are known.</summary>
    public HyperLogLog Sketch()
    {
        if (_members is null)
        {
            return _sketch ??= new HyperLogLog();
        }

        var sketch = new HyperLogLog();
        foreach (var member in _members)
        {
            sketch.AddHash(Fingerprint.SketchHash(member));
        }

        return sketch;
    }

    /// <inheritdoc />
    protected override void MergeCore(AggregateState other)
    {
        var that = (DistinctCountState)other;
        if (that.IsEmpty)
        {
            return;
        }

        if (IsEmpty)
        {
            IsExact = that.IsExact;
            _countWithoutMembers = that._countWithoutMembers;
            _members = that._members is null ? null : Copy(that._members);
            _sketch = that._members is null ? Copy(that.Sketch()) : null;
            return;
        }

        if (_members is not null && that._members is not null)
        {
            _members.UnionWith(that._members);
            return;
        }

        var merged = Copy(Sketch());
        merged.Merge(that.Sketch());
        _sketch = merged;
        _members = null;
        IsExact = false;
    }

    internal override void WritePayload(StateWriter writer) => Write(writer, MaxStoredMembers);

    /// <summary>Keeps every member, however many, so that partials stay exactly mergeable (batch intermediates in
    /// blobs).</summary>
    internal override void WriteCompletePayload(StateWriter writer) => Write(writer, int.MaxValue);

    private void Write(StateWriter writer, int maxMembers)
    {
        var includeMembers = _members is not null && _members.Count <= maxMembers;
        writer.WriteByte((byte)((IsExact ? ExactFlag : 0) | (includeMembers ? MembersFlag : 0)));
        writer.WriteVarInt(IsExact ? ExactCount : 0);
        if (!includeMembers)
        {
            Sketch().Write(writer);
            return;
        }

        var sorted = _members!.ToArray();
        Array.Sort(sorted);
        Span<byte> bytes = stackalloc byte[16];
        foreach (var member in sorted)
        {
            BinaryPrimitives.WriteUInt128LittleEndian(bytes, member);
            writer.WriteBytes(bytes);
        }
    }

    internal static DistinctCountState Read(ref StateReader reader)
    {
        var flags = reader.ReadByte();
        var count = reader.ReadVarInt();
        var state = new DistinctCountState { IsExact = (flags & ExactFlag) != 0 };
        if ((flags & MembersFlag) == 0)
        {
            state._members = null;
            state._sketch = HyperLogLog.Read(ref reader);
            state._countWithoutMembers = count;
            return state;
        }

        if (count < 0)
        {
            throw new InvalidDataException($"distinct-count state declares {count} members");
        }

        for (var i = 0; i < count; i++)
        {
            state._members!.Add(BinaryPrimitives.ReadUInt128LittleEndian(reader.ReadBytes(16)));
        }

        if (state._members!.Count != count)
        {
            throw new InvalidDataException(
                $"distinct-count state declares {count} members but holds {state._members.Count} distinct ones"
            );
        }

        return state;
    }

    private static FingerprintSet Copy(FingerprintSet members)
    {
        var copy = new FingerprintSet(members.Count);
        copy.UnionWith(members);
        return copy;
    }

    private static HyperLogLog Copy(HyperLogLog sketch)
    {
        var copy = new HyperLogLog(sketch.Precision);
        copy.Merge(sketch);
        return copy;
    }

    private const byte ExactFlag = 1;
    private const byte MembersFlag = 2;
}
