using System.Globalization;
using System.Text;

namespace Pipeline.Application.Storage;

/// <summary>
/// Makes any string usable inside a Table key: percent-encodes the characters keys forbid
/// (<c>/ \ # ?</c>, control characters), the separators this project uses (<c>| @ . ~</c>) and <c>%</c>
/// itself. Reversible, and it keeps ordinary text readable in storage explorers.
/// </summary>
public static class KeyEncoding
{
    /// <summary>Encodes <paramref name="value"/>.</summary>
    public static string Encode(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!value.Any(NeedsEscape))
        {
            return value;
        }

        var text = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            if (NeedsEscape(c))
            {
                foreach (var b in Encoding.UTF8.GetBytes(c.ToString()))
                {
                    text.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
                }
            }
            else
            {
                text.Append(c);
            }
        }

        return text.ToString();
    }

    /// <summary>Decodes what <see cref="Encode"/> produced.</summary>
    public static string Decode(string value) =>
        Uri.UnescapeDataString(value ?? throw new ArgumentNullException(nameof(value)));

    private static bool NeedsEscape(char c) =>
        c is '/' or '\\' or '#' or '?' or '%' or '|' or '@' or '.' or '~' || char.IsControl(c);
}
