using System.Text;
using Pipeline.Domain.Events;

namespace Pipeline.Domain.Aggregations;

/// <summary>
/// An ordinal set of strings that accepts UTF-8 input and allocates a string only for a new member,
/// using the set's span-based alternate lookup.
/// </summary>
public sealed class MemberSet
{
    private readonly HashSet<string> _members = new(StringComparer.Ordinal);
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    /// <summary>Creates an empty set.</summary>
    public MemberSet() => _lookup = _members.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The number of members.</summary>
    public int Count => _members.Count;

    /// <summary>The members, in no particular order.</summary>
    public IReadOnlyCollection<string> Members => _members;

    /// <summary>Adds a UTF-8 value of at most <see cref="EventField.MaxValueBytes"/> bytes.</summary>
    public bool AddUtf8(ReadOnlySpan<byte> utf8)
    {
        Span<char> chars = stackalloc char[EventField.MaxValueBytes];
        var length = Encoding.UTF8.GetChars(utf8, chars);
        return _lookup.Add(chars[..length]);
    }

    /// <summary>Adds a member.</summary>
    public bool Add(string member) => _members.Add(member);

    /// <summary>Adds every member of <paramref name="other"/>.</summary>
    public void UnionWith(MemberSet other)
    {
        ArgumentNullException.ThrowIfNull(other);
        _members.UnionWith(other._members);
    }

    /// <summary>Whether <paramref name="member"/> is in the set.</summary>
    public bool Contains(string member) => _members.Contains(member);

    /// <summary>The members in ordinal order, so that the binary form is deterministic.</summary>
    public string[] Sorted()
    {
        var sorted = _members.ToArray();
        Array.Sort(sorted, StringComparer.Ordinal);
        return sorted;
    }
}
