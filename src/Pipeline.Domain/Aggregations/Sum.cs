using Pipeline.Domain.Events;

namespace Pipeline.Domain.Aggregations;

internal sealed class SumAggregation(EventField valueField) : Aggregation
{
    public override AggregationKind Kind => AggregationKind.Sum;

    public override string Description => $"sum({valueField})";

    public override AggregateState Zero() => new SumState();

    public override bool Add(AggregateState state, in CloudEvent cloudEvent)
    {
        if (!valueField.TryGetAmount(cloudEvent, out var value, out _))
        {
            return false;
        }

        As<SumState>(state).Add(value);
        return true;
    }
}

/// <summary>
/// An exact sum: amounts (at most 8 decimal places, see <see cref="Amount"/>) are added as whole units of
/// 10^-8 in 128 bits, so the result does not depend on the order of the events or of merges (a decimal
/// would round a tiny amount added to a huge one away), and no binary floating point is involved.
/// </summary>
public sealed class SumState : AggregateState
{
    /// <summary>The payload format: the sum in units of 10^-8 as a 128-bit integer (format 1 held a decimal).</summary>
    public const byte ExactFormat = 2;

    // decimal holds 96-bit magnitudes: the sum is exactly representable below this many units.
    private static readonly Int128 DecimalLimit = (Int128)1 << 96;

    /// <summary>The sum in units of 10^-8.</summary>
    public Int128 Units { get; private set; }

    /// <summary>The sum as a decimal (exact while below about 7.9 × 10^20; see <see cref="Result"/>).</summary>
    public decimal Sum => ToDecimal(Units, out _);

    /// <inheritdoc />
    public override AggregationKind Kind => AggregationKind.Sum;

    /// <inheritdoc />
    public override bool IsEmpty => Units == 0;

    /// <inheritdoc />
    public override AggregateResult Result
    {
        get
        {
            var value = ToDecimal(Units, out var exact);
            return exact
                ? new AggregateResult(value)
                : new AggregateResult(value, IsApproximate: true, RelativeStandardError: 1e-27);
        }
    }

    internal override byte FormatVersion => ExactFormat;

    /// <summary>Adds an accepted amount exactly.</summary>
    public void Add(decimal amount) => Units = checked(Units + ToUnits(amount));

    /// <summary>A state holding <paramref name="units"/>.</summary>
    public static SumState FromUnits(Int128 units) => new() { Units = units };

    /// <summary>A state holding a decimal sum (an older stored state).</summary>
    public static SumState FromDecimal(decimal sum) =>
        new() { Units = ToUnits(decimal.Round(sum, Amount.MaxDecimalPlaces)) };

    /// <inheritdoc />
    protected override void MergeCore(AggregateState other) => Units = checked(Units + ((SumState)other).Units);

    internal override void WritePayload(StateWriter writer) => writer.WriteInt128(Units);

    private static Int128 ToUnits(decimal amount)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(amount, bits);
        var scale = (bits[3] >> 16) & 0xFF;
        var magnitude = ((Int128)(uint)bits[2] << 64) | ((Int128)(uint)bits[1] << 32) | (uint)bits[0];
        for (; scale < Amount.MaxDecimalPlaces; scale++)
        {
            magnitude *= 10;
        }

        for (; scale > Amount.MaxDecimalPlaces; scale--)
        {
            magnitude /= 10; // only zeros: accepted amounts have at most 8 decimal places
        }

        return bits[3] < 0 ? -magnitude : magnitude;
    }

    private static decimal ToDecimal(Int128 units, out bool exact)
    {
        var negative = units < 0;
        var magnitude = negative ? -units : units;
        var scale = Amount.MaxDecimalPlaces;
        exact = true;
        while (magnitude >= DecimalLimit)
        {
            // Beyond what a decimal holds at this scale: drop the finest digits (the answer says it is approximate).
            exact &= magnitude % 10 == 0;
            magnitude /= 10;
            scale--;
            if (scale < 0)
            {
                throw new OverflowException("the sum is beyond what an answer can hold");
            }
        }

        while (scale > 0 && magnitude % 10 == 0)
        {
            // Without trailing zeros: 11, not 11.00000000.
            magnitude /= 10;
            scale--;
        }

        return new decimal(
            (int)(uint)(magnitude & uint.MaxValue),
            (int)(uint)((magnitude >> 32) & uint.MaxValue),
            (int)(uint)(magnitude >> 64),
            negative,
            (byte)scale
        );
    }
}
