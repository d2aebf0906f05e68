namespace Pipeline.Domain.Events;

/// <summary>Why an event was refused. Each value maps to one quarantine reason.</summary>
public enum RejectionReason
{
    /// <summary>The body is larger than <see cref="CloudEventParser.MaxEventBytes"/>.</summary>
    Oversize,

    /// <summary>The body is not one well-formed JSON object.</summary>
    InvalidJson,

    /// <summary>A required attribute (<c>specversion</c>, <c>id</c>, <c>source</c>, <c>type</c>) is absent.</summary>
    MissingAttribute,

    /// <summary>An attribute is present but has the wrong JSON type, is empty, or is repeated.</summary>
    InvalidAttribute,

    /// <summary>The <c>specversion</c> is not <c>1.0</c>.</summary>
    UnsupportedSpecVersion,

    /// <summary>The <c>time</c> attribute is not an RFC 3339 timestamp.</summary>
    InvalidTime,

    /// <summary>The body is not valid UTF-8 (different values would read as one, U+FFFD).</summary>
    InvalidUtf8,

    /// <summary>
    /// A value a view summed was not an accepted amount: the reason of entries quarantined by earlier versions,
    /// which refused such events; an aggregate now skips a value it cannot use, and the event is kept.
    /// </summary>
    UnsummableValue,

    /// <summary>
    /// A valid event that could not be applied for a reason retrying cannot cure (the message says which); it
    /// stays in the raw log, and the partition goes on.
    /// </summary>
    CannotApply,
}

/// <summary>A refused event: the reason code and a message precise enough to fix the producer.</summary>
/// <param name="Reason">The category, stable for counting and filtering.</param>
/// <param name="Message">A human-readable explanation naming the attribute or byte offset at fault.</param>
public readonly record struct EventRejection(RejectionReason Reason, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{Reason}: {Message}";
}
