using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace Pipeline.Cli;

/// <summary>Asks the pipeline for every key of the ground truth and reports each difference.</summary>
internal sealed class Verifier(HttpClient http, Uri baseUri, TextWriter output)
{
    public async Task<bool> VerifyAsync(SortedDictionary<string, SortedDictionary<string, ExpectedAnswer>> truth, bool requireBatch, CancellationToken cancellationToken)
    {
        // The ground truth of "new-users" is version 1's logic, of "new-users@2" version 2's: each is asked
        // with its version pinned (whatever the routing serves), and only where that version is registered.
        var registered = await RegisteredVersionsAsync(cancellationToken);
        foreach (var skipped in truth.Keys.Where(v => !registered.Contains(Versioned(v))))
        {
            output.WriteLine($"skipping {skipped}: that version is not registered");
        }

        var checks = truth.Where(v => registered.Contains(Versioned(v.Key)))
            .SelectMany(v => v.Value.Select(k => (View: v.Key, Key: k.Key, Expected: k.Value))).ToList();
        var differences = new List<string>();
        var approximate = 0;
        await Parallel.ForEachAsync(checks, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (check, ct) =>
        {
            var (name, version) = Versioned(check.View).Split('@') is [var n, var ver] ? (n, ver) : throw new InvalidDataException(check.View);
            var uri = new Uri(baseUri, $"api/views/{name}?key={Uri.EscapeDataString(check.Key)}&version={version}");
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

    private static string Versioned(string view) => view.Contains('@', StringComparison.Ordinal) ? view : $"{view}@1";

    /// <summary>Every registered version as <c>name@N</c>.</summary>
    private async Task<HashSet<string>> RegisteredVersionsAsync(CancellationToken cancellationToken)
    {
        using var views = await http.GetFromJsonAsync<JsonDocument>(new Uri(baseUri, "api/views"), cancellationToken) ?? throw new InvalidDataException("api/views answered nothing");
        var registered = new HashSet<string>(StringComparer.Ordinal);
        foreach (var view in views.RootElement.EnumerateArray())
        {
            var name = view.GetProperty("name").GetString()!;
            foreach (var version in view.GetProperty("versions").EnumerateArray())
            {
                registered.Add(string.Create(CultureInfo.InvariantCulture, $"{name}@{version.GetProperty("version").GetInt32()}"));
            }
        }

        return registered;
    }
}
