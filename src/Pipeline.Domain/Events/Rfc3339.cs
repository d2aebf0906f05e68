namespace Pipeline.Domain.Events;

/// <summary>
/// Strict RFC 3339 <c>date-time</c> parsing over UTF-8 bytes, without allocating.
/// <c>Utf8Parser</c>'s 'O' format accepts only one exact layout; producers send fractional
/// seconds of any length and numeric offsets, which RFC 3339 allows.
/// </summary>
public static class Rfc3339
{
    /// <summary>Parses <c>YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)</c>; <c>t</c> and <c>z</c> may be lower
    /// case.</summary>
    /// <returns>False when the text is not a valid RFC 3339 date-time (including impossible dates and leap
    /// seconds).</returns>
    public static bool TryParse(ReadOnlySpan<byte> text, out DateTimeOffset value)
    {
        value = default;
        if (
            text.Length < 20
            || !TryDigits(text, 0, 4, out var year)
            || text[4] != '-'
            || !TryDigits(text, 5, 2, out var month)
            || text[7] != '-'
            || !TryDigits(text, 8, 2, out var day)
            || (text[10] | 0x20) != 't'
            || !TryDigits(text, 11, 2, out var hour)
            || text[13] != ':'
            || !TryDigits(text, 14, 2, out var minute)
            || text[16] != ':'
            || !TryDigits(text, 17, 2, out var second)
        )
        {
            return false;
        }

        var position = 19;
        long fractionTicks = 0;
        if (text[position] == '.')
        {
            position++;
            var digits = 0;
            long scale = TimeSpan.TicksPerSecond;
            while (position < text.Length && IsDigit(text[position]))
            {
                // Ticks hold 7 fractional digits; further digits are below the clock's resolution.
                if (digits < 7)
                {
                    scale /= 10;
                    fractionTicks += (text[position] - '0') * scale;
                }

                digits++;
                position++;
            }

            if (digits == 0)
            {
                return false;
            }
        }

        if (!TryOffset(text[position..], out var offset))
        {
            return false;
        }

        if (
            year < 1
            || month is < 1 or > 12
            || day < 1
            || day > DateTime.DaysInMonth(year, month)
            || hour > 23
            || minute > 59
            || second > 59
        )
        {
            return false;
        }

        var local = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).AddTicks(
            fractionTicks
        );
        var utcTicks = local.Ticks - offset.Ticks;
        if (utcTicks < DateTime.MinValue.Ticks || utcTicks > DateTime.MaxValue.Ticks)
        {
            return false;
        }

        value = new DateTimeOffset(utcTicks, TimeSpan.Zero);
        return true;
    }

    private static bool TryOffset(ReadOnlySpan<byte> text, out TimeSpan offset)
    {
        offset = TimeSpan.Zero;
        if (text.Length == 1 && (text[0] | 0x20) == 'z')
        {
            return true;
        }

        if (
            text.Length != 6
            || (text[0] != '+' && text[0] != '-')
            || text[3] != ':'
            || !TryDigits(text, 1, 2, out var hours)
            || !TryDigits(text, 4, 2, out var minutes)
            || hours > 23
            || minutes > 59
        )
        {
            return false;
        }

        offset = new TimeSpan(hours, minutes, 0);
        if (text[0] == '-')
        {
            offset = -offset;
        }

        return true;
    }

    private static bool TryDigits(ReadOnlySpan<byte> text, int start, int count, out int value)
    {
        value = 0;
        for (var i = start; i < start + count; i++)
        {
            if (!IsDigit(text[i]))
            {
                return false;
            }

            value = (value * 10) + (text[i] - '0');
        }

        return true;
    }

    private static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';
}
