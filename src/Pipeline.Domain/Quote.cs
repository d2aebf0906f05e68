namespace Pipeline.Domain;

/// <summary>Quotes what a caller sent back in a message, cut to a readable length.</summary>
public static class Quote
{
    /// <summary>The longest quoted text.</summary>
    public const int MaxCharacters = 80;

    /// <summary>The text, or its beginning and how long it was when it is longer than <see
    /// cref="MaxCharacters"/>.</summary>
    public static string Shorten(string? text) =>
        text is null ? string.Empty
        : text.Length <= MaxCharacters ? text
        : $"{text[..MaxCharacters]}… ({text.Length:N0} characters)";
}
