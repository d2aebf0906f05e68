using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace Pipeline.Cli;

/// <summary>Asks the pipeline for every key of the ground truth and reports each difference.</summary>
internal sealed class Verifier(HttpClient http, Uri baseUri, TextWriter output)
{
    public async Task<bool> VerifyAsync(SortedDictionary<string, SortedDictionary<string, ExpectedAnswer>> truth, bool requireBatch, CancellationToken cancellationToken)
    {
        var checks = truth.SelectMany(v => v.Value.Select(k => (View: v.Key, Key: k.Key, Expected: k.Value))).ToList();
        var differences = new List<string>();
        var approximate = 0;
        await Parallel.ForEachAsync(checks, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (check, ct) =>
        {
            var uri = new Uri(baseUri, $"api/views/{check.View}?key={Uri.EscapeDataString(check.Key)}");
            using var answer = await http.GetFromJsonAsync<JsonDocument>(uri, ct) ?? throw new InvalidDataException($"{uri} answered nothing");
            var root = answer.RootElement;
            var value = root.TryGetProperty("value", out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDecimal() : (decimal?)null;
            var events = root.GetProperty("events").GetInt64();
            var provenance = root.GetProperty("provenance");
            var problem = value != check.Expected.Value || events != check.Expected.Events
                ? string.Create(CultureInfo.InvariantCulture, $"{check.View} {check.Key}: got {value} from {events} events, expected {check.Expected.Value} from {check.Expected.Events}")
                : requireBatch && !provenance.GetProperty("coveredByBatch").GetBoolean()
                    ? $"{check.View} {check.Key}: correct, but not covered by the batch layer"
                    : null;
            lock (differences)
            {
                approximate += provenance.GetProperty("approximate").GetBoolean() ? 1 : 0;
                if (problem is not null)
                {
                    differences.Add(problem);
                }
            }
        });

        foreach (var difference in differences.Order(StringComparer.Ordinal).Take(25))
        {
            output.WriteLine(difference);
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"checked {checks.Count:N0} keys of {truth.Count} views: {checks.Count - differences.Count:N0} match, {differences.Count:N0} differ ({approximate:N0} answers approximate)"));
        return differences.Count == 0;
    }
}
