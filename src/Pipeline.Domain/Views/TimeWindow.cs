using System.Globalization;

namespace Pipeline.Domain.Views;

/// <summary>The event-time window a view groups by, in UTC.</summary>
public enum TimeWindow
{
    /// <summary>One UTC hour; keys look like <c>2026-11-21T14</c>.</summary>
    Hour,

    /// <summary>One UTC day; keys look like <c>2026-11-21</c>.</summary>
    Day,

    /// <summary>One UTC minute; keys look like <c>2026-11-21T14:05</c>.</summary>
    Minute,

    /// <summary>One ISO 8601 week, from Monday (UTC); keys look like <c>2026-W47</c>, the ISO week-numbering year
    /// first (1 January 2027 is in <c>2026-W53</c>).</summary>
    Week,

    /// <summary>One UTC month; keys look like <c>2026-11</c>.</summary>
    Month,
}

/// <summary>Window arithmetic and the text form of window starts.</summary>
public static class TimeWindows
{
    /// <summary>The start (UTC) of the window holding <paramref name="time"/>.</summary>
    public static DateTime StartOf(this TimeWindow window, DateTimeOffset time)
    {
        var utc = time.UtcDateTime;
        return window switch
        {
            TimeWindow.Minute => new DateTime(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerMinute), DateTimeKind.Utc),
            TimeWindow.Hour => new DateTime(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerHour), DateTimeKind.Utc),
            TimeWindow.Day => utc.Date,
            TimeWindow.Week => utc.Date.AddDays(-DaysSinceMonday(utc.DayOfWeek)),
            TimeWindow.Month => new DateTime(utc.Year, utc.Month, 1, 0, 0, 0, DateTimeKind.Utc),
            _ => throw new ArgumentOutOfRangeException(nameof(window), window, null),
        };
    }

    /// <summary>The start of the window after the one starting at <paramref name="start"/>.</summary>
    public static DateTime Next(this TimeWindow window, DateTime start) =>
        window switch
        {
            TimeWindow.Minute => start.AddMinutes(1),
            TimeWindow.Hour => start.AddHours(1),
            TimeWindow.Day => start.AddDays(1),
            TimeWindow.Week => start.AddDays(7),
            TimeWindow.Month => start.AddMonths(1),
            _ => throw new ArgumentOutOfRangeException(nameof(window), window, null),
        };

    /// <summary>How many windows lie from the one starting at <paramref name="first"/> to the one starting at
    /// <paramref name="last"/> (0 when they are the same; negative when <paramref name="last"/> is earlier).</summary>
    public static long Between(this TimeWindow window, DateTime first, DateTime last) =>
        window switch
        {
            TimeWindow.Minute => (last - first).Ticks / TimeSpan.TicksPerMinute,
            TimeWindow.Hour => (last - first).Ticks / TimeSpan.TicksPerHour,
            TimeWindow.Day => (last - first).Ticks / TimeSpan.TicksPerDay,
            TimeWindow.Week => (last - first).Ticks / (7 * TimeSpan.TicksPerDay),
            TimeWindow.Month => ((last.Year - first.Year) * 12L) + last.Month - first.Month,
            _ => throw new ArgumentOutOfRangeException(nameof(window), window, null),
        };

    /// <summary>Whether each window starts on a day of its own, so that a day's rows hold whole windows and a
    /// range visits only the days windows start on (weeks and months).</summary>
    public static bool SpansDays(this TimeWindow window) => window is TimeWindow.Week or TimeWindow.Month;

    /// <summary>The key format as people read it: <c>yyyy-MM-ddTHH:mm</c>, <c>yyyy-MM-ddTHH</c>, <c>yyyy-MM-dd</c>,
    /// <c>yyyy-Www</c> or <c>yyyy-MM</c>.</summary>
    public static string Format(this TimeWindow window) =>
        window switch
        {
            TimeWindow.Minute => "yyyy-MM-ddTHH:mm",
            TimeWindow.Hour => "yyyy-MM-ddTHH",
            TimeWindow.Day => "yyyy-MM-dd",
            TimeWindow.Week => "yyyy-Www",
            TimeWindow.Month => "yyyy-MM",
            _ => throw new ArgumentOutOfRangeException(nameof(window), window, null),
        };

    /// <summary>Formats a window start.</summary>
    public static string FormatStart(this TimeWindow window, DateTime start) =>
        window == TimeWindow.Week
            ? string.Create(
                CultureInfo.InvariantCulture,
                $"{ISOWeek.GetYear(start):D4}-W{ISOWeek.GetWeekOfYear(start):D2}"
            )
            : start.ToString(DateTimeFormat(window), CultureInfo.InvariantCulture);

    /// <summary>Parses a window start in this window's format.</summary>
    public static bool TryParseStart(this TimeWindow window, ReadOnlySpan<char> text, out DateTime start)
    {
        start = default;
        if (window == TimeWindow.Week)
        {
            if (
                text.Length != 8
                || text[4] != '-'
                || text[5] != 'W'
                || !int.TryParse(text[..4], NumberStyles.None, CultureInfo.InvariantCulture, out var year)
                || !int.TryParse(text[6..], NumberStyles.None, CultureInfo.InvariantCulture, out var week)
                || year < 1
                || week < 1
                || week > ISOWeek.GetWeeksInYear(year)
            )
            {
                return false;
            }

            start = DateTime.SpecifyKind(ISOWeek.ToDateTime(year, week, DayOfWeek.Monday), DateTimeKind.Utc);
            return true;
        }

        var parsed = DateTime.TryParseExact(
            text,
            DateTimeFormat(window),
            CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal,
            out start
        );
        start = DateTime.SpecifyKind(start, DateTimeKind.Utc);
        return parsed;
    }

    /// <summary>The window of a key's text (its part before any <c>|</c>), told by its form.</summary>
    public static bool TryDetect(ReadOnlySpan<char> text, out TimeWindow window, out DateTime start)
    {
        foreach (
            var candidate in (ReadOnlySpan<TimeWindow>)
                [TimeWindow.Minute, TimeWindow.Hour, TimeWindow.Day, TimeWindow.Week, TimeWindow.Month]
        )
        {
            if (candidate.TryParseStart(text, out start))
            {
                window = candidate;
                return true;
            }
        }

        (window, start) = (default, default);
        return false;
    }

    private static string DateTimeFormat(TimeWindow window) =>
        window switch
        {
            TimeWindow.Minute => "yyyy-MM-dd'T'HH:mm",
            TimeWindow.Hour => "yyyy-MM-dd'T'HH",
            TimeWindow.Day => "yyyy-MM-dd",
            TimeWindow.Month => "yyyy-MM",
            _ => throw new ArgumentOutOfRangeException(nameof(window), window, null),
        };

    private static int DaysSinceMonday(DayOfWeek day) => ((int)day + 6) % 7;
}
