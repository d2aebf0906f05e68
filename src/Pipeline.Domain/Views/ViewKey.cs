namespace Pipeline.Domain.Views;

/// <summary>
/// One key of a view: a window start (UTC) and, for views with a dimension, the dimension value.
/// Its text form is the window (<c>2026-11-21</c> or <c>2026-11-21T14</c>), followed by
/// <c>|</c> and the dimension when the view has one (<c>2026-11-21T14|/pricing</c>).
/// </summary>
/// <param name="WindowStart">The start of the event-time window, UTC.</param>
/// <param name="Dimension">The dimension value, or null for views without a dimension.</param>
public readonly record struct ViewKey(DateTime WindowStart, string? Dimension)
{
    /// <summary>Separates the window from the dimension in the text form.</summary>
    public const char DimensionSeparator = '|';

    /// <summary>The text form, given the view's window.</summary>
    public string Format(TimeWindow window) =>
        Dimension is null
            ? window.FormatStart(WindowStart)
            : $"{window.FormatStart(WindowStart)}{DimensionSeparator}{Dimension}";
}
