using System.Globalization;
using System.Text;
using Pipeline.Domain.Hashing;

namespace Pipeline.Application.Versions;

/// <summary>
/// How a view's readers are spread over its versions: a weight in percent per version (summing to 100),
/// and optionally a shadow version that is computed beside every served key answer and compared.
/// Callers are sticky: a caller id hashes to a bucket 0-99, and buckets are dealt to versions in
/// version order by weight, so a caller keeps its version until the weights move past its bucket.
/// </summary>
public sealed record VersionRouting(IReadOnlyDictionary<int, int> Weights, int? Shadow)
{
    /// <summary>Everything on one version.</summary>
    public static VersionRouting AllOn(int version) => new(new Dictionary<int, int> { [version] = 100 }, null);

    /// <summary>The version a caller is served: by its id's bucket, or without an id the heaviest version.</summary>
    public int Choose(string? callerId)
    {
        var ordered = Weights.Where(w => w.Value > 0).OrderBy(w => w.Key).ToList();
        if (string.IsNullOrEmpty(callerId))
        {
            return ordered.OrderByDescending(w => w.Value).ThenBy(w => w.Key).First().Key;
        }

        var bucket = (int)(System.IO.Hashing.XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(callerId)) % 100);
        var upTo = 0;
        foreach (var (version, weight) in ordered)
        {
            upTo += weight;
            if (bucket < upTo)
            {
                return version;
            }
        }

        return ordered[^1].Key;
    }

    /// <summary>The weights as <c>1:90,2:10</c>.</summary>
    public string FormatWeights() =>
        string.Join(
            ",",
            Weights.OrderBy(w => w.Key).Select(w => string.Create(CultureInfo.InvariantCulture, $"{w.Key}:{w.Value}"))
        );

    /// <summary>Parses <c>1:90,2:10</c>: versions with whole-percent weights that sum to 100.</summary>
    public static bool TryParseWeights(string? text, out Dictionary<int, int> weights, out string error)
    {
        weights = [];
        error = string.Empty;
        foreach (
            var part in (text ?? string.Empty).Split(
                ',',
                StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries
            )
        )
        {
            var pair = part.Split(':');
            if (
                pair.Length != 2
                || !int.TryParse(pair[0], NumberStyles.None, CultureInfo.InvariantCulture, out var version)
                || !int.TryParse(pair[1], NumberStyles.None, CultureInfo.InvariantCulture, out var weight)
                || weight > 100
                || !weights.TryAdd(version, weight)
            )
            {
                error = $"weights must look like 1:90,2:10 (version:percent, each version once); '{part}' does not";
                return false;
            }
        }

        if (weights.Values.Sum() != 100)
        {
            error = $"weights must add up to 100; these add up to {weights.Values.Sum()}";
            return false;
        }

        return true;
    }
}
