using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Pipeline.Domain.Views;

namespace Pipeline.Application.Operations;

/// <summary>What an operation does.</summary>
public enum OperationKind
{
    /// <summary>Brings a view version's batch view up to a cutoff, incrementally where it can.</summary>
    Recompute,

    /// <summary>Rebuilds a view version's batch view from the whole raw log.</summary>
    Replay,

    /// <summary>Checks a view version against the raw log.</summary>
    Audit,
}

/// <summary>
/// Operation ids: <c>{kind}.{name@version}.{cutoff:D12}</c> for recomputes and replays (one operation per view
/// version and cutoff), <c>audit.{name@version}.{yyyyMMddHHmmssfff}</c> for audits. They say what an operation
/// is, so listings filter by them and a repeated start finds the running one.
/// </summary>
public static class OperationIds
{
    /// <summary>Every kind, as ids and the API spell them.</summary>
    public static IReadOnlyList<string> KindNames { get; } = [.. Enum.GetValues<OperationKind>().Select(Name)];

    /// <summary>The kind as ids and the API spell it: <c>recompute</c>, <c>replay</c>, <c>audit</c>.</summary>
    public static string Name(this OperationKind kind) =>
        kind switch
        {
            OperationKind.Recompute => "recompute",
            OperationKind.Replay => "replay",
            OperationKind.Audit => "audit",
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };

    /// <summary>Parses a kind's name.</summary>
    public static bool TryParseKind(string? text, out OperationKind kind)
    {
        foreach (var candidate in Enum.GetValues<OperationKind>())
        {
            if (string.Equals(candidate.Name(), text, StringComparison.Ordinal))
            {
                kind = candidate;
                return true;
            }
        }

        kind = default;
        return false;
    }

    /// <summary>The id of a recompute or replay of a view version up to a cutoff.</summary>
    public static string ForRun(OperationKind kind, ViewVersion version, long cutoff) =>
        string.Create(CultureInfo.InvariantCulture, $"{kind.Name()}.{version}.{cutoff:D12}");

    /// <summary>The id of an audit of a view version asked for at <paramref name="at"/>.</summary>
    public static string ForAudit(ViewVersion version, DateTimeOffset at) =>
        string.Create(CultureInfo.InvariantCulture, $"{OperationKind.Audit.Name()}.{version}.{at:yyyyMMddHHmmssfff}");

    /// <summary>The prefix of the ids of one kind, of one view or one view version when given.</summary>
    public static string Prefix(OperationKind kind, string? view = null, int? version = null) =>
        view is null ? $"{kind.Name()}."
        : version is null ? $"{kind.Name()}.{view}{ViewVersion.Separator}"
        : $"{kind.Name()}.{new ViewVersion(view, version.Value)}.";

    /// <summary>Reads what an id says.</summary>
    public static bool TryParse(string? id, out OperationKind kind, [NotNullWhen(true)] out ViewVersion? version)
    {
        version = null;
        kind = default;
        var parts = (id ?? string.Empty).Split('.');
        return parts.Length == 3 && TryParseKind(parts[0], out kind) && ViewVersion.TryParse(parts[1], out version);
    }
}
