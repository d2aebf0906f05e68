using System.Globalization;
using Pipeline.Application.Outcomes;

namespace Pipeline.Http;

/// <summary>The body of every error answer.</summary>
/// <param name="Error">What went wrong, and what to do about it (every problem, one after another).</param>
/// <param name="Problems">Each problem on its own, when there are several.</param>
public sealed record ApiError(string Error, IReadOnlyList<string>? Problems = null);

/// <summary>
/// The one mapping from what a service says happened to what HTTP says, for both hosts: the status code, the
/// JSON body (the result, or <see cref="ApiError"/>) and headers (<c>Retry-After</c>).
/// </summary>
public static class OutcomeResults
{
    /// <summary>The HTTP status of an outcome's kind.</summary>
    public static int StatusOf(OutcomeKind kind) =>
        kind switch
        {
            OutcomeKind.Ok => 200,
            OutcomeKind.Created => 201,
            OutcomeKind.Accepted => 202,
            OutcomeKind.NotFound => 404,
            OutcomeKind.Conflict => 409,
            OutcomeKind.Invalid => 400,
            OutcomeKind.TooLarge => 413,
            OutcomeKind.Unavailable => 503,
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };

    /// <summary>An outcome as an HTTP answer.</summary>
    public static ApiResult From<T>(Outcome<T> outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var status = StatusOf(outcome.Kind);
        if (outcome.Succeeded)
        {
            return new ApiResult(status, outcome.Value);
        }

        var headers = outcome.RetryAfter is { } delay
            ? new Dictionary<string, string>
            {
                ["Retry-After"] = Math.Max(1, (int)Math.Ceiling(delay.TotalSeconds))
                    .ToString(CultureInfo.InvariantCulture),
            }
            : null;
        return new ApiResult(status, Error(outcome.Problems), headers);
    }

    /// <summary>An error answer with its own status (for what no service decides: keys, methods, limits of the
    /// host).</summary>
    public static ApiResult Error(int status, string problem) => new(status, Error([problem]));

    private static ApiError Error(IReadOnlyList<string> problems) =>
        new(string.Join("; ", problems), problems.Count > 1 ? problems : null);
}
