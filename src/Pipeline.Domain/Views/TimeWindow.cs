using System.Globalization;

namespace Pipeline.Domain.Views;

/// <summary>The event-time window a view groups by, in UTC.</summary>
public enum TimeWindow
{
    /// <summary>One UTC hour; keys look like <c>2026-11-21T14</c>.</summary>
    Hour,

    /// <summary>One UTC day; keys look like <c>2026-11-21</c>.</summary>
    Day,
}

/// <summary>Window arithmetic and the text form of window starts.</summary>
public static class TimeWindows
{
    /// <summary>The start (UTC) of the window holding <paramref name="time"/>.</summary>
    public static DateTime StartOf(this TimeWindow window, DateTimeOffset time)
    {
        var ticks = time.UtcTicks;
        return new DateTime(ticks - (ticks % window.Length().Ticks), DateTimeKind.Utc);
    }

    /// <summary>The window's length.</summary>
    public static TimeSpan Length(this TimeWindow window) =>
        window switch
        {
            TimeWindow.Hour => TimeSpan.FromHours(1),
            TimeWindow.Day => TimeSpan.FromDays(1),
            _ => throw new ArgumentOutOfRangeException(nameof(window), window, null),
        };

    /// <summary>The key format: <c>yyyy-MM-dd</c> for days, <c>yyyy-MM-ddTHH</c> for hours.</summary>
    public static string Format(this TimeWindow window) => window == TimeWindow.Day ? "yyyy-MM-dd" : "yyyy-MM-dd'T'HH";

    /// <summary>Formats a window start.</summary>
    public static string FormatStart(this TimeWindow window, DateTime start) =>
        start.ToString(window.Format(), CultureInfo.InvariantCulture);

    /// <summary>Parses a window start in this window's format.</summary>
    public static bool TryParseStart(this TimeWindow window, ReadOnlySpan<char> text, out DateTime start)
    {
        var parsed = DateTime.TryParseExact(
            text,
            window.Format(),
            CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal,
            out start
        );
        start = DateTime.SpecifyKind(start, DateTimeKind.Utc);
        return parsed;
    }
}
