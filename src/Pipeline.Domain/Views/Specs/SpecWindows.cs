using System.Globalization;

namespace Pipeline.Domain.Views.Specs;

/// <summary>A spec window's start and its text in keys, by event time (UTC).</summary>
public static class SpecWindows
{
    /// <summary>The start (UTC) of the window holding <paramref name="time"/>.</summary>
    public static DateTime StartOf(SpecWindow window, DateTimeOffset time)
    {
        var utc = time.UtcDateTime;
        return window switch
        {
            SpecWindow.Minute => new DateTime(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerMinute), DateTimeKind.Utc),
            SpecWindow.Hour => new DateTime(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerHour), DateTimeKind.Utc),
            SpecWindow.Day => utc.Date,
            // ISO 8601: weeks start on Monday.
            SpecWindow.Week => utc.Date.AddDays(-(((int)utc.DayOfWeek + 6) % 7)),
            SpecWindow.Month => new DateTime(utc.Year, utc.Month, 1, 0, 0, 0, DateTimeKind.Utc),
            _ => throw new ArgumentOutOfRangeException(nameof(window), window, null),
        };
    }

    /// <summary>A window start as keys write it: <c>yyyy-MM-ddTHH:mm</c>, <c>yyyy-MM-ddTHH</c>, <c>yyyy-MM-dd</c>,
    /// <c>yyyy-Www</c> (the ISO week-numbering year) or <c>yyyy-MM</c>.</summary>
    public static string Format(SpecWindow window, DateTime start) =>
        window switch
        {
            SpecWindow.Minute => start.ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture),
            SpecWindow.Hour => start.ToString("yyyy-MM-dd'T'HH", CultureInfo.InvariantCulture),
            SpecWindow.Day => start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            SpecWindow.Week => string.Create(
                CultureInfo.InvariantCulture,
                $"{ISOWeek.GetYear(start):D4}-W{ISOWeek.GetWeekOfYear(start):D2}"
            ),
            SpecWindow.Month => start.ToString("yyyy-MM", CultureInfo.InvariantCulture),
            _ => throw new ArgumentOutOfRangeException(nameof(window), window, null),
        };

    /// <summary>The key text of the window holding <paramref name="time"/>.</summary>
    public static string KeyOf(SpecWindow window, DateTimeOffset time) => Format(window, StartOf(window, time));

    /// <summary>
    /// A dimension value as a key of several dimensions holds it after <c>|</c>: <c>%</c> and <c>|</c>
    /// percent-encoded, so that any string value round-trips (a key of one dimension holds it as it is: everything
    /// after the first <c>|</c>).
    /// </summary>
    public static string EscapeDimension(string value) =>
        value.Replace("%", "%25", StringComparison.Ordinal).Replace("|", "%7C", StringComparison.Ordinal);

    /// <summary>The value <see cref="EscapeDimension"/> wrote.</summary>
    public static string UnescapeDimension(string text) =>
        text.Replace("%7C", "|", StringComparison.OrdinalIgnoreCase).Replace("%25", "%", StringComparison.Ordinal);
}
