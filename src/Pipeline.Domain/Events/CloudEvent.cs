using System.Text;

namespace Pipeline.Domain.Events;

/// <summary>
/// A validated CloudEvents 1.0 event, as slices of the UTF-8 bytes it was parsed from.
/// A struct over the caller's buffer, so parsing and folding allocate nothing per event; only
/// attribute values written with JSON escapes get an unescaped copy.
/// </summary>
public readonly struct CloudEvent
{
    private readonly ReadOnlyMemory<byte> _id;
    private readonly ReadOnlyMemory<byte> _source;
    private readonly ReadOnlyMemory<byte> _type;
    private readonly ReadOnlyMemory<byte> _subject;
    private readonly ReadOnlyMemory<byte> _data;

    internal CloudEvent(
        ReadOnlyMemory<byte> utf8,
        ReadOnlyMemory<byte> id,
        ReadOnlyMemory<byte> source,
        ReadOnlyMemory<byte> type,
        ReadOnlyMemory<byte> subject,
        bool hasSubject,
        ReadOnlyMemory<byte> data,
        DateTimeOffset time,
        bool timeIsEnqueuedTime
    )
    {
        Utf8 = utf8;
        _id = id;
        _source = source;
        _type = type;
        _subject = subject;
        HasSubject = hasSubject;
        _data = data;
        Time = time;
        TimeIsEnqueuedTime = timeIsEnqueuedTime;
    }

    /// <summary>The complete original event body.</summary>
    public ReadOnlyMemory<byte> Utf8 { get; }

    /// <summary>The <c>id</c> attribute (unescaped UTF-8).</summary>
    public ReadOnlySpan<byte> Id => _id.Span;

    /// <summary>The <c>source</c> attribute (unescaped UTF-8).</summary>
    public ReadOnlySpan<byte> Source => _source.Span;

    /// <summary>The <c>type</c> attribute (unescaped UTF-8).</summary>
    public ReadOnlySpan<byte> Type => _type.Span;

    /// <summary>The <c>subject</c> attribute, empty when <see cref="HasSubject"/> is false.</summary>
    public ReadOnlySpan<byte> Subject => _subject.Span;

    /// <summary>Whether the event carries a <c>subject</c>.</summary>
    public bool HasSubject { get; }

    /// <summary>The raw JSON of the <c>data</c> attribute; empty when absent or null.</summary>
    public ReadOnlySpan<byte> Data => _data.Span;

    /// <summary>The event time: the <c>time</c> attribute, or the enqueued time when it is absent.</summary>
    public DateTimeOffset Time { get; }

    /// <summary>True when the event had no <c>time</c> and <see cref="Time"/> is its enqueued time.</summary>
    public bool TimeIsEnqueuedTime { get; }

    /// <summary>The <c>id</c> as a string (allocates; for diagnostics and tests).</summary>
    public string IdString => Encoding.UTF8.GetString(Id);

    /// <summary>The <c>source</c> as a string (allocates; for diagnostics and tests).</summary>
    public string SourceString => Encoding.UTF8.GetString(Source);

    /// <summary>The <c>type</c> as a string (allocates; for diagnostics and tests).</summary>
    public string TypeString => Encoding.UTF8.GetString(Type);

    /// <summary>The <c>subject</c> as a string, or null (allocates; for diagnostics and tests).</summary>
    public string? SubjectString => HasSubject ? Encoding.UTF8.GetString(Subject) : null;

    /// <summary>Whether the <c>type</c> equals <paramref name="utf8Type"/>.</summary>
    public bool TypeIs(ReadOnlySpan<byte> utf8Type) => Type.SequenceEqual(utf8Type);
}
