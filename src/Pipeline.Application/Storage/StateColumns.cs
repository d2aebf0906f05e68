using Azure.Data.Tables;
using Pipeline.Domain.Aggregations;
using Pipeline.Storage.Tables;

namespace Pipeline.Application.Storage;

/// <summary>
/// A state's bytes in a row: <c>State</c>, then <c>State1</c>, <c>State2</c>... as each binary property holds at
/// most 64 KiB, so a key of a view with several aggregates (or a fine HyperLogLog) still fits one entity.
/// </summary>
internal static class StateColumns
{
    private const string First = "State";

    /// <summary>The most properties a state takes (within the 1 MiB an entity holds).</summary>
    public const int MaxColumns = 15;

    /// <summary>Writes the state of <paramref name="state"/> into <paramref name="entity"/>.</summary>
    public static void Write(TableEntity entity, AggregateState state)
    {
        var bytes = StateCodec.Serialize(state);
        if (bytes.Length <= TableRules.MaxPropertyBytes)
        {
            entity[First] = bytes;
            return;
        }

        var columns = (bytes.Length + TableRules.MaxPropertyBytes - 1) / TableRules.MaxPropertyBytes;
        if (columns > MaxColumns)
        {
            throw new InvalidOperationException(
                $"a state of {bytes.Length:N0} bytes is beyond the {MaxColumns} properties of 64 KiB a row holds"
            );
        }

        for (var i = 0; i < columns; i++)
        {
            var start = i * TableRules.MaxPropertyBytes;
            entity[Name(i)] = bytes[start..Math.Min(bytes.Length, start + TableRules.MaxPropertyBytes)];
        }
    }

    /// <summary>The state a row holds.</summary>
    public static AggregateState Read(TableEntity entity)
    {
        var first =
            entity.GetBinary(First)
            ?? throw new InvalidDataException($"row {entity.PartitionKey}/{entity.RowKey} has no {First}");
        if (entity.GetBinary(Name(1)) is null)
        {
            return StateCodec.Deserialize(first);
        }

        var joined = new byte[Length(entity)];
        var written = 0;
        for (var i = 0; i < MaxColumns && entity.GetBinary(Name(i)) is { } part; i++)
        {
            part.CopyTo(joined, written);
            written += part.Length;
        }

        return StateCodec.Deserialize(joined);
    }

    /// <summary>How many bytes the state of a row takes.</summary>
    public static int Length(TableEntity entity)
    {
        var length = 0;
        for (var i = 0; i < MaxColumns && entity.GetBinary(Name(i)) is { } part; i++)
        {
            length += part.Length;
        }

        return length;
    }

    private static string Name(int column) => column == 0 ? First : First + column;
}
