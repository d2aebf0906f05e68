using Pipeline.Domain.Events;

namespace Pipeline.Domain.Aggregations;

internal sealed class DistinctSetAggregation(EventField valueField) : Aggregation
{
    public override AggregationKind Kind => AggregationKind.DistinctSet;

    public override string Description => $"distinct-set({valueField})";

    public override AggregateState Zero() => new DistinctSetState();

    public override bool Add(AggregateState state, in CloudEvent cloudEvent)
    {
        Span<byte> scratch = stackalloc byte[EventField.MaxValueBytes];
        if (!valueField.TryGetString(cloudEvent, scratch, out var value))
        {
            return false;
        }

        As<DistinctSetState>(state).Members.AddUtf8(value);
        return true;
    }
}

/// <summary>
/// The exact set of distinct values. Its binary form grows with the members (varint length plus
/// UTF-8 each); a set larger than a Table property (64 KiB) is kept in Blob storage by the layer
/// that stores it, never truncated.
/// </summary>
public sealed class DistinctSetState : AggregateState
{
    /// <summary>The members.</summary>
    public MemberSet Members { get; } = new();

    /// <inheritdoc />
    public override AggregationKind Kind => AggregationKind.DistinctSet;

    /// <inheritdoc />
    public override bool IsEmpty => Members.Count == 0;

    /// <inheritdoc />
    public override AggregateResult Result => new(Members.Count);

    /// <inheritdoc />
    protected override void MergeCore(AggregateState other) => Members.UnionWith(((DistinctSetState)other).Members);

    internal override void WritePayload(StateWriter writer)
    {
        var sorted = Members.Sorted();
        writer.WriteVarUInt((ulong)sorted.Length);
        foreach (var member in sorted)
        {
            writer.WriteString(member);
        }
    }

    internal static DistinctSetState Read(ref StateReader reader)
    {
        var state = new DistinctSetState();
        var count = reader.ReadLength(int.MaxValue);
        for (var i = 0; i < count; i++)
        {
            state.Members.Add(reader.ReadString());
        }

        return state;
    }
}
