namespace Pipeline.Application.Outcomes;

/// <summary>What happened to a request, as the services say it; hosts turn it into an HTTP status.</summary>
public enum OutcomeKind
{
    /// <summary>Done; here is the result.</summary>
    Ok,

    /// <summary>Something new was made.</summary>
    Created,

    /// <summary>Taken on; it runs on (an operation).</summary>
    Accepted,

    /// <summary>The thing asked about does not exist.</summary>
    NotFound,

    /// <summary>Refused: it contradicts the state of things (not caught up, immutable, serving readers).</summary>
    Conflict,

    /// <summary>Refused: the request itself is wrong; the problems say where.</summary>
    Invalid,

    /// <summary>Refused: the request is over a size limit.</summary>
    TooLarge,

    /// <summary>Refused for now: retry after a while.</summary>
    Unavailable,
}

/// <summary>
/// A service's answer: a kind, the result when there is one, and what is wrong otherwise (one problem a
/// line, each saying what to do about it).
/// </summary>
/// <typeparam name="T">The result's type.</typeparam>
[System.Diagnostics.CodeAnalysis.SuppressMessage(
    "Design",
    "CA1000",
    Justification = "Outcomes are made by their kind: Outcome<T>.NotFound(...) says what it is."
)]
public sealed record Outcome<T>
{
    private Outcome(OutcomeKind kind, T? value, IReadOnlyList<string> problems, TimeSpan? retryAfter)
    {
        Kind = kind;
        Value = value;
        Problems = problems;
        RetryAfter = retryAfter;
    }

    /// <summary>What happened.</summary>
    public OutcomeKind Kind { get; }

    /// <summary>The result (of a success; some refusals carry one too, such as the running operation).</summary>
    public T? Value { get; }

    /// <summary>What is wrong, when refused.</summary>
    public IReadOnlyList<string> Problems { get; }

    /// <summary>When to ask again, for <see cref="OutcomeKind.Unavailable"/>.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>Whether it succeeded.</summary>
    public bool Succeeded => Kind is OutcomeKind.Ok or OutcomeKind.Created or OutcomeKind.Accepted;

    /// <summary>The result of a success (throws for a refusal: a bug in the caller).</summary>
    public T Result =>
        Succeeded ? Value! : throw new InvalidOperationException($"no result: {Kind}: {string.Join("; ", Problems)}");

    /// <summary>Done.</summary>
    public static Outcome<T> Ok(T value) => new(OutcomeKind.Ok, value, [], null);

    /// <summary>Made anew.</summary>
    public static Outcome<T> Created(T value) => new(OutcomeKind.Created, value, [], null);

    /// <summary>Taken on.</summary>
    public static Outcome<T> Accepted(T value) => new(OutcomeKind.Accepted, value, [], null);

    /// <summary>Not there.</summary>
    public static Outcome<T> NotFound(string problem) => new(OutcomeKind.NotFound, default, [problem], null);

    /// <summary>Contradicts the state of things.</summary>
    public static Outcome<T> Conflict(string problem) => new(OutcomeKind.Conflict, default, [problem], null);

    /// <summary>The request is wrong.</summary>
    public static Outcome<T> Invalid(params IReadOnlyList<string> problems) =>
        new(OutcomeKind.Invalid, default, problems, null);

    /// <summary>Over a size limit.</summary>
    public static Outcome<T> TooLarge(string problem) => new(OutcomeKind.TooLarge, default, [problem], null);

    /// <summary>Not now.</summary>
    public static Outcome<T> Unavailable(string problem, TimeSpan retryAfter) =>
        new(OutcomeKind.Unavailable, default, [problem], retryAfter);

    /// <summary>The same refusal as another outcome's.</summary>
    public static Outcome<T> RefusedAs<TOther>(Outcome<TOther> refusal)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        return refusal.Succeeded
            ? throw new InvalidOperationException("a success is not a refusal")
            : new Outcome<T>(refusal.Kind, default, refusal.Problems, refusal.RetryAfter);
    }

    /// <summary>This outcome with its result turned into another.</summary>
    public Outcome<TOut> Map<TOut>(Func<T, TOut> map)
    {
        ArgumentNullException.ThrowIfNull(map);
        return Succeeded ? new Outcome<TOut>(Kind, map(Value!), [], null) : Outcome<TOut>.RefusedAs(this);
    }
}
