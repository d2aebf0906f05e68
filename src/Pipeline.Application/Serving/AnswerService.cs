using Pipeline.Application.Outcomes;
using Pipeline.Application.Versions;
using Pipeline.Domain.Views;

namespace Pipeline.Application.Serving;

/// <summary>
/// Answers questions about a view: one key, or every window of a range, from the version the caller is
/// routed to (or the one asked for), with provenance; in shadow mode it also answers each key with the shadow
/// version and records where the two differ.
/// </summary>
public sealed class AnswerService(
    ViewQueryService queries,
    RoutingService routing,
    VersionRegistrations registrations,
    ShadowRecorder shadows
)
{
    /// <summary>One key's answer.</summary>
    public async Task<Outcome<ViewAnswer>> KeyAsync(
        string name,
        string key,
        int? version,
        string? callerId,
        CancellationToken cancellationToken = default
    )
    {
        var resolved = await routing.ResolveAsync(name, version, callerId, cancellationToken).ConfigureAwait(false);
        if (!resolved.Succeeded)
        {
            return Outcome<ViewAnswer>.RefusedAs(resolved);
        }

        var view = resolved.Result;
        if (!view.TryParseKey(key, out var parsed, out var error))
        {
            return Outcome<ViewAnswer>.Invalid(error);
        }

        var answer = await queries.QueryKeyAsync(view, parsed, cancellationToken).ConfigureAwait(false);
        if (version is null)
        {
            await CompareWithShadowAsync(view, parsed, answer, cancellationToken).ConfigureAwait(false);
        }

        return Outcome<ViewAnswer>.Ok(
            ViewAnswer.From(
                answer,
                view.Window,
                await registrations.IsCaughtUpRecentlyAsync(view, cancellationToken).ConfigureAwait(false)
            )
        );
    }

    /// <summary>
    /// Every window from <paramref name="from"/> to <paramref name="to"/> (at most
    /// <see cref="ViewQueryService.MaxRangeWindows"/>) that has data, in order; ends without a dimension stand for
    /// every dimension.
    /// </summary>
    public async Task<Outcome<RangeAnswer>> RangeAsync(
        string name,
        string from,
        string to,
        int? version,
        string? callerId,
        CancellationToken cancellationToken = default
    )
    {
        var resolved = await routing.ResolveAsync(name, version, callerId, cancellationToken).ConfigureAwait(false);
        if (!resolved.Succeeded)
        {
            return Outcome<RangeAnswer>.RefusedAs(resolved);
        }

        var view = resolved.Result;
        var problems = new List<string>();
        var first = view.TryParseRangeEnd(from, out var a, out var fromError)
            ? a
            : Problem<ViewKey>(problems, $"from: {fromError}");
        var last = view.TryParseRangeEnd(to, out var b, out var toError)
            ? b
            : Problem<ViewKey>(problems, $"to: {toError}");
        if (problems.Count > 0)
        {
            return Outcome<RangeAnswer>.Invalid(problems);
        }

        var windows = view.Window.Between(first.WindowStart, last.WindowStart);
        if (windows < 0 || !string.Equals(first.Dimension, last.Dimension, StringComparison.Ordinal))
        {
            return Outcome<RangeAnswer>.Invalid(
                "the range must go forward in time, with the same dimension at both ends (or none: every dimension)"
            );
        }

        if (windows >= ViewQueryService.MaxRangeWindows)
        {
            return Outcome<RangeAnswer>.Invalid(
                $"a range may span at most {ViewQueryService.MaxRangeWindows} windows; this one spans {windows + 1}"
            );
        }

        var answers = await queries.QueryRangeAsync(view, first, last, cancellationToken).ConfigureAwait(false);
        var caughtUp = await registrations.IsCaughtUpRecentlyAsync(view, cancellationToken).ConfigureAwait(false);
        return Outcome<RangeAnswer>.Ok(
            new RangeAnswer(
                view.Name,
                from,
                to,
                [.. answers.Select(answer => ViewAnswer.From(answer, view.Window, caughtUp))]
            )
        );
    }

    private static T Problem<T>(List<string> problems, string problem)
        where T : struct
    {
        problems.Add(problem);
        return default;
    }

    /// <summary>In shadow mode, answers the key with the shadow version too and records a difference.</summary>
    private async Task CompareWithShadowAsync(
        ViewDefinition served,
        ViewKey key,
        Domain.Epochs.MergedAnswer answer,
        CancellationToken cancellationToken
    )
    {
        var serving = await routing.ServingRoutingAsync(served.Name, cancellationToken).ConfigureAwait(false);
        if (
            serving.Shadow is { } shadowVersion
            && shadowVersion != served.Version
            && routing.Registry.TryGet(served.Name, shadowVersion, out var shadow)
        )
        {
            var shadowAnswer = await queries.QueryKeyAsync(shadow, key, cancellationToken).ConfigureAwait(false);
            await shadows
                .RecordIfDifferentAsync(served, answer, shadow, shadowAnswer, cancellationToken)
                .ConfigureAwait(false);
        }
    }
}
