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
/// It always keeps both the members and the sketch; its binary form drops the members when they would
/// exceed <see cref="MemberBudgetBytes"/> (keeping the exact count), so a row stays within one 64 KiB
/// Table property. Merging two non-empty partials of which one lost its members falls back to the
/// sketch, and the result says it is approximate.
/// </summary>
public sealed class DistinctCountState : AggregateState
{
    /// <summary>The largest UTF-8 size of members written inside the binary form.</summary>
    public const int MemberBudgetBytes = 46 * 1024;

    private MemberSet? _members = new();
    private long _countWithoutMembers;

    /// <summary>The sketch, fed with every member.</summary>
    public HyperLogLog Sketch { get; private set; } = new();

    /// <summary>Whether the count is exact.</summary>
    public bool IsExact { get; private set; } = true;

    /// <summary>The members, when they are known.</summary>
    public MemberSet? Members => _members;

    /// <inheritdoc />
    public override AggregationKind Kind => AggregationKind.DistinctCount;

    /// <inheritdoc />
    public override bool IsEmpty => IsExact && ExactCount == 0;

    private long ExactCount => _members?.Count ?? _countWithoutMembers;

    /// <inheritdoc />
    public override AggregateResult Result => IsExact
        ? new(ExactCount)
        : new(decimal.Round((decimal)Sketch.Estimate()), IsApproximate: true, Sketch.StandardError);

    /// <summary>Adds one UTF-8 value.</summary>
    public void AddUtf8(ReadOnlySpan<byte> utf8)
    {
        Sketch.AddHash(XxHash64.Hash(utf8));
        if (_members is not null)
        {
            _members.AddUtf8(utf8);
        }
        else
        {
            // The members were dropped from storage: a new value may or may not be among them.
            IsExact = false;
        }
    }

    /// <inheritdoc />
    protected override void MergeCore(AggregateState other)
    {
        var that = (DistinctCountState)other;
        Sketch.Merge(that.Sketch);
        if (that.IsEmpty)
        {
            return;
        }

        if (IsEmpty)
        {
            IsExact = that.IsExact;
            _countWithoutMembers = that._countWithoutMembers;
            _members = that._members is null ? null : Copy(that._members);
            return;
        }

        if (_members is not null && that._members is not null)
        {
            _members.UnionWith(that._members);
            IsExact &= that.IsExact;
            return;
        }

        _members = null;
        IsExact = false;
    }

    internal override void WritePayload(StateWriter writer)
    {
        var sorted = _members?.Sorted();
        var includeMembers = IsExact && sorted is not null && Utf8Size(sorted) <= MemberBudgetBytes;
        writer.WriteByte((byte)((IsExact ? ExactFlag : 0) | (includeMembers ? MembersFlag : 0)));
        writer.WriteVarInt(IsExact ? ExactCount : 0);
        Sketch.Write(writer);
        if (includeMembers)
        {
            writer.WriteVarUInt((ulong)sorted!.Length);
            foreach (var member in sorted)
            {
                writer.WriteString(member);
            }
        }
    }

    internal static DistinctCountState Read(ref StateReader reader)
    {
        var flags = reader.ReadByte();
        var count = reader.ReadVarInt();
        var state = new DistinctCountState { Sketch = HyperLogLog.Read(ref reader), IsExact = (flags & ExactFlag) != 0 };
        if ((flags & MembersFlag) != 0)
        {
            var members = reader.ReadLength(int.MaxValue);
            for (var i = 0; i < members; i++)
            {
                state._members!.Add(reader.ReadString());
            }

            if (state._members!.Count != count)
            {
                throw new InvalidDataException($"distinct-count state declares {count} members but holds {state._members.Count}");
            }
        }
        else
        {
            state._members = null;
            state._countWithoutMembers = count;
        }

        return state;
    }

    private static MemberSet Copy(MemberSet source)
    {
        var copy = new MemberSet();
        copy.UnionWith(source);
        return copy;
    }

    private static long Utf8Size(string[] members)
    {
        long size = 0;
        foreach (var member in members)
        {
            size += System.Text.Encoding.UTF8.GetByteCount(member) + 2;
        }

        return size;
    }

    private const byte ExactFlag = 1;
    private const byte MembersFlag = 2;
}
