using System.Globalization;
using Microsoft.AspNetCore.Http;
using Pipeline.Application.Outcomes;
using Pipeline.Domain;

namespace Pipeline.Http;

/// <summary>
/// A request's query values, each kind parsed one way for every route, with every problem collected (so an
/// answer lists them all) and what the caller sent quoted shortened.
/// </summary>
internal sealed class RequestValues(HttpRequest request)
{
    /// <summary>What is wrong with the values read so far.</summary>
    public List<string> Problems { get; } = [];

    /// <summary>Whether a value is wrong.</summary>
    public bool Invalid => Problems.Count > 0;

    /// <summary>The refusal that lists the problems.</summary>
    public ApiResult Refusal() => OutcomeResults.From(Outcome<object>.Invalid(Problems));

    /// <summary>A value as sent, or null.</summary>
    public string? Text(string name) => request.Query.TryGetValue(name, out var values) ? values.ToString() : null;

    /// <summary>A view version number (from 1), or null when not given (or when <paramref name="required"/>, a
    /// problem).</summary>
    public int? Version(string name = "version", bool required = false) => VersionOf(name, Text(name), required);

    /// <summary>A version number given in the route.</summary>
    public int? VersionInRoute(string text) => VersionOf("version", text, required: true);

    /// <summary>A whole number from <paramref name="min"/> to <paramref name="max"/>, or <paramref name="fallback"/>
    /// when not given.</summary>
    public int WholeNumber(string name, int min, int max, int fallback)
    {
        var text = Text(name);
        if (string.IsNullOrEmpty(text))
        {
            return fallback;
        }

        if (
            int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            && value >= min
            && value <= max
        )
        {
            return value;
        }

        Problems.Add(
            string.Create(
                CultureInfo.InvariantCulture,
                $"{name} must be a whole number from {min} to {max}, not '{Quote.Shorten(text)}'"
            )
        );
        return fallback;
    }

    /// <summary>A positive whole number, or null when not given.</summary>
    public int? Positive(string name)
    {
        var text = Text(name);
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= 1)
        {
            return value;
        }

        Problems.Add($"{name} must be a positive whole number, not '{Quote.Shorten(text)}'");
        return null;
    }

    /// <summary>An epoch number, or null when not given.</summary>
    public long? Epoch(string name)
    {
        var text = Text(name);
        if (text is null)
        {
            return null;
        }

        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var epoch))
        {
            return epoch;
        }

        Problems.Add($"{name} '{Quote.Shorten(text)}' is not an epoch number");
        return null;
    }

    /// <summary><c>true</c> or <c>false</c>, or false when not given.</summary>
    public bool Flag(string name)
    {
        var text = Text(name);
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        if (bool.TryParse(text, out var value))
        {
            return value;
        }

        Problems.Add($"{name} must be true or false, not '{Quote.Shorten(text)}'");
        return false;
    }

    /// <summary>One of <paramref name="choices"/> (by name), or null when not given.</summary>
    public T? Choice<T>(string name, IReadOnlyDictionary<string, T> choices)
        where T : struct
    {
        var text = Text(name);
        if (text is null)
        {
            return null;
        }

        if (choices.TryGetValue(text, out var value))
        {
            return value;
        }

        Problems.Add($"{name} must be one of {string.Join(", ", choices.Keys)}, not '{Quote.Shorten(text)}'");
        return null;
    }

    private int? VersionOf(string name, string? text, bool required)
    {
        if (string.IsNullOrEmpty(text))
        {
            if (required)
            {
                Problems.Add($"give the version: {name}=N (versions are numbered from 1)");
            }

            return null;
        }

        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var version))
        {
            Problems.Add($"{name} '{Quote.Shorten(text)}' is not a whole number");
            return null;
        }

        if (version < 1)
        {
            Problems.Add(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"{name} {version} does not exist: versions are numbered from 1"
                )
            );
            return null;
        }

        return version;
    }
}
