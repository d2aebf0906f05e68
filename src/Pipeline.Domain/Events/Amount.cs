namespace Pipeline.Domain.Events;

/// <summary>
/// The numbers a sum, min or max accepts: a JSON number or a string holding one (as money amounts often
/// are), of at most ±10^18 with at most 8 decimal places (after trailing zeros). Within these bounds every
/// value, and every sum of them, is held exactly (a sum in units of 10^-8 in 128 bits). Anything else is
/// not a summable amount: too large, too fine, not finite or not a number at all (<c>1e400</c>,
/// <c>NaN</c>, <c>"12 EUR"</c>); an event carrying one is quarantined with the reason, never silently
/// left out.
/// </summary>
public static class Amount
{
    /// <summary>The most decimal places of an accepted amount.</summary>
    public const int MaxDecimalPlaces = 8;

    /// <summary>The largest magnitude of an accepted amount.</summary>
    public const decimal MaxMagnitude = 1_000_000_000_000_000_000m;

    /// <summary>An amount in units of 10^-8: what sums add up exactly.</summary>
    public const long UnitsPerOne = 100_000_000;

    /// <summary>
    /// Parses a JSON number's text exactly (digits, optional fraction and exponent, as JSON writes them);
    /// <paramref name="problem"/> says why an unacceptable one is refused.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> text, out decimal value, out string problem)
    {
        value = 0;
        problem = string.Empty;
        var negative = text.Length > 0 && text[0] == (byte)'-';
        var i = negative ? 1 : 0;
        Span<byte> digits = stackalloc byte[40];
        var count = 0;
        var fraction = 0;
        var seenDigit = false;
        var inFraction = false;
        for (; i < text.Length; i++)
        {
            var c = text[i];
            if (c is >= (byte)'0' and <= (byte)'9')
            {
                seenDigit = true;
                if (count == 0 && c == (byte)'0' && !inFraction)
                {
                    continue; // leading zeros of the integer part
                }

                if (count == digits.Length)
                {
                    problem = "has more digits than an amount may have";
                    return false;
                }

                digits[count++] = (byte)(c - '0');
                fraction += inFraction ? 1 : 0;
            }
            else if (c == (byte)'.' && !inFraction)
            {
                inFraction = true;
            }
            else
            {
                break;
            }
        }

        var exponent = 0;
        if (i < text.Length && text[i] is (byte)'e' or (byte)'E')
        {
            i++;
            var exponentNegative = i < text.Length && text[i] == (byte)'-';
            i += i < text.Length && text[i] is (byte)'-' or (byte)'+' ? 1 : 0;
            var exponentDigits = 0;
            for (; i < text.Length && text[i] is >= (byte)'0' and <= (byte)'9'; i++)
            {
                exponent = Math.Min((exponent * 10) + (text[i] - '0'), 10_000);
                exponentDigits++;
            }

            if (exponentDigits == 0)
            {
                return NotANumber(out problem);
            }

            exponent = exponentNegative ? -exponent : exponent;
        }

        if (!seenDigit || i != text.Length)
        {
            return NotANumber(out problem);
        }

        // Drop trailing zeros: they do not make an amount finer.
        var scale = fraction - exponent;
        while (count > 0 && digits[count - 1] == 0 && scale > -40)
        {
            count--;
            scale--;
        }

        if (count == 0)
        {
            return true; // zero
        }

        if (scale > MaxDecimalPlaces)
        {
            problem = $"has more than {MaxDecimalPlaces} decimal places, so it cannot be summed exactly";
            return false;
        }

        if (count - scale > 19)
        {
            problem = "is beyond ±10^18";
            return false;
        }

        decimal magnitude = 0;
        foreach (var digit in digits[..count])
        {
            magnitude = (magnitude * 10) + digit;
        }

        for (var s = scale; s < 0; s++)
        {
            magnitude *= 10;
        }

        magnitude = scale > 0 ? magnitude / Pow10(scale) : magnitude;
        if (magnitude > MaxMagnitude)
        {
            problem = "is beyond ±10^18";
            return false;
        }

        value = negative ? -magnitude : magnitude;
        return true;
    }

    private static decimal Pow10(int power)
    {
        decimal result = 1;
        for (var p = 0; p < power; p++)
        {
            result *= 10;
        }

        return result;
    }

    private static bool NotANumber(out string problem)
    {
        problem = "is not a number";
        return false;
    }
}
