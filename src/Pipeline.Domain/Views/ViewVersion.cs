using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Pipeline.Domain.Views;

/// <summary>
/// One version of a view, such as <c>new-users@2</c>: the one text form used in storage keys, operation
/// ids, logs, the tool's output and the API's messages.
/// </summary>
/// <param name="Name">The view's name.</param>
/// <param name="Version">The version, from 1.</param>
public readonly record struct ViewVersion(string Name, int Version)
{
    /// <summary>Separates the name from the version in the text form.</summary>
    public const char Separator = '@';

    /// <summary>The text form, <c>name@version</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Name}{Separator}{Version}");

    /// <summary>Parses <c>name@version</c>.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out ViewVersion? version)
    {
        version = null;
        var at = text?.LastIndexOf(Separator) ?? -1;
        if (
            at <= 0
            || !int.TryParse(text.AsSpan(at + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            || number < 1
        )
        {
            return false;
        }

        version = new ViewVersion(text![..at], number);
        return true;
    }
}
