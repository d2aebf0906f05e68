using System.Globalization;
using System.Text.Json;

namespace Pipeline.Cli;

/// <summary>The exact expected answer of one key.</summary>
/// <param name="Value">The value.</param>
/// <param name="Events">How many events it counts.</param>
internal sealed record ExpectedAnswer(decimal Value, long Events);

/// <summary>
/// The exact answers of every key of the built-in views for generated traffic, computed directly from
/// the generated records with plain grouping (independently of the view code under test), each event
/// id counted once and malformed events not at all.
/// </summary>
internal static class GroundTruth
{
    public static SortedDictionary<string, SortedDictionary<string, ExpectedAnswer>> Compute(
        IEnumerable<GeneratedEvent> published
    )
    {
        var unique = published.Where(e => e.Malformed is null).DistinctBy(e => e.Id).ToList();
        static string Day(GeneratedEvent e) => e.Time.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        static string Hour(GeneratedEvent e) =>
            e.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH", CultureInfo.InvariantCulture);

        return new(StringComparer.Ordinal)
        {
            ["new-users"] = Sorted(
                unique
                    .Where(e => e.Type == "user.signup")
                    .GroupBy(Day)
                    .Select(g => (g.Key, new ExpectedAnswer(g.Count(), g.Count())))
            ),
            ["new-users@2"] = Sorted(
                unique
                    .Where(e => e.Type == "user.signup" && e.Plan != "test")
                    .GroupBy(Day)
                    .Select(g => (g.Key, new ExpectedAnswer(g.Count(), g.Count())))
            ),
            ["active-users"] = Sorted(
                unique
                    .GroupBy(Day)
                    .Select(g => (g.Key, new ExpectedAnswer(g.Select(e => e.Subject).Distinct().Count(), g.Count())))
            ),
            ["revenue"] = Sorted(
                unique
                    .Where(e => e.Type == "order.placed")
                    .GroupBy(Day)
                    .Select(g => (g.Key, new ExpectedAnswer(g.Sum(e => e.Amount!.Value), g.Count())))
            ),
            ["page-views"] = Sorted(
                unique
                    .Where(e => e.Type == "page.view")
                    .GroupBy(e => $"{Hour(e)}|{e.Page}")
                    .Select(g => (g.Key, new ExpectedAnswer(g.Count(), g.Count())))
            ),
        };
    }

    public static async Task WriteAsync(
        string path,
        SortedDictionary<string, SortedDictionary<string, ExpectedAnswer>> truth
    )
    {
        await using var file = File.Create(path);
        await JsonSerializer.SerializeAsync(file, truth, CliJson.Options);
    }

    public static async Task<SortedDictionary<string, SortedDictionary<string, ExpectedAnswer>>> ReadAsync(string path)
    {
        await using var file = File.OpenRead(path);
        return await JsonSerializer.DeserializeAsync<
                SortedDictionary<string, SortedDictionary<string, ExpectedAnswer>>
            >(file, CliJson.Options) ?? throw new InvalidDataException($"'{path}' holds no ground truth");
    }

    private static SortedDictionary<string, ExpectedAnswer> Sorted(
        IEnumerable<(string Key, ExpectedAnswer Answer)> answers
    ) => new(answers.ToDictionary(a => a.Key, a => a.Answer), StringComparer.Ordinal);
}

internal static class CliJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web) { WriteIndented = true };
}
