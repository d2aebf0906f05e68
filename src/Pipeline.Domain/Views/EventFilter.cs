using System.Text;
using Pipeline.Domain.Events;

namespace Pipeline.Domain.Views;

/// <summary>Tests an event without copying it.</summary>
public delegate bool EventPredicate(in CloudEvent cloudEvent);

/// <summary>Which events a view takes, with a description for listings.</summary>
public sealed class EventFilter
{
    private readonly EventPredicate _predicate;

    private EventFilter(string description, EventPredicate predicate)
    {
        Description = description;
        _predicate = predicate;
    }

    /// <summary>Every event.</summary>
    public static EventFilter All { get; } = new("all events", static (in CloudEvent _) => true);

    /// <summary>What the filter takes, for example <c>type == "user.signup"</c>.</summary>
    public string Description { get; }

    /// <summary>Events whose <c>type</c> is <paramref name="type"/>.</summary>
    public static EventFilter OfType(string type)
    {
        ArgumentException.ThrowIfNullOrEmpty(type);
        var utf8 = Encoding.UTF8.GetBytes(type);
        return new($"type == \"{type}\"", (in CloudEvent e) => e.TypeIs(utf8));
    }

    /// <summary>Events whose <paramref name="field"/> is not the string <paramref name="value"/> (a missing field
    /// passes).</summary>
    public static EventFilter FieldIsNot(EventField field, string value)
    {
        ArgumentNullException.ThrowIfNull(field);
        ArgumentNullException.ThrowIfNull(value);
        var utf8 = Encoding.UTF8.GetBytes(value);
        return new(
            $"{field.Description} != \"{value}\"",
            (in CloudEvent e) =>
            {
                Span<byte> scratch = stackalloc byte[EventField.MaxValueBytes];
                return !field.TryGetString(e, scratch, out var actual) || !actual.SequenceEqual(utf8);
            }
        );
    }

    /// <summary>A custom condition.</summary>
    public static EventFilter Where(string description, EventPredicate predicate)
    {
        ArgumentException.ThrowIfNullOrEmpty(description);
        ArgumentNullException.ThrowIfNull(predicate);
        return new(description, predicate);
    }

    /// <summary>Both this filter and <paramref name="other"/>.</summary>
    public EventFilter And(EventFilter other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var first = _predicate;
        var second = other._predicate;
        return new($"{Description} and {other.Description}", (in CloudEvent e) => first(e) && second(e));
    }

    /// <summary>Whether the event passes.</summary>
    public bool Matches(in CloudEvent cloudEvent) => _predicate(cloudEvent);

    /// <inheritdoc />
    public override string ToString() => Description;
}
