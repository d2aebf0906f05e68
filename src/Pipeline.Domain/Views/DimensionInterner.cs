using System.Text;
using Pipeline.Domain.Events;

namespace Pipeline.Domain.Views;

/// <summary>
/// Turns UTF-8 dimension values into shared strings, allocating only the first time a value is seen,
/// so that keying millions of events by a few thousand pages costs a few thousand strings.
/// </summary>
public sealed class DimensionInterner
{
    private readonly HashSet<string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    /// <summary>Creates an empty interner.</summary>
    public DimensionInterner() => _lookup = _values.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The shared string for a UTF-8 value (a dimension, or several joined).</summary>
    public string Intern(ReadOnlySpan<byte> utf8)
    {
        // A UTF-8 text never has more chars than bytes.
        Span<char> chars = utf8.Length <= 1024 ? stackalloc char[1024] : new char[utf8.Length];
        var length = Encoding.UTF8.GetChars(utf8, chars);
        if (_lookup.TryGetValue(chars[..length], out var existing))
        {
            return existing;
        }

        var value = new string(chars[..length]);
        _values.Add(value);
        return value;
    }
}
