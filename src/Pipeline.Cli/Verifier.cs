using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Pipeline.Domain.Views;

namespace Pipeline.Cli;

/// <summary>
/// Asks the pipeline for every key of the ground truth and reports each difference. Keys are asked in
/// window ranges (one request per view version, dimension and up to 366 windows), so tens of thousands of
/// keys take seconds. A correct answer that the batch layer does not cover yet, and a version that is not
/// caught up (its answers lack events from before its registration until it is replayed), are reported
/// as such, apart from differences.
/// </summary>
internal sealed class Verifier(HttpClient http, Uri baseUri, TextWriter output)
{
    private const int MaxRangeWindows = 366;

    public async Task<bool> VerifyAsync(
        SortedDictionary<string, SortedDictionary<string, ExpectedAnswer>> truth,
        bool requireBatch,
        CancellationToken cancellationToken,
        string? eventsPath = null
    )
    {
        // The ground truth of "new-users" is version 1's logic, of "new-users@2" version 2's: each is asked
        // with its version pinned (whatever the routing serves), and only where that version is registered.
        var registered = await RegisteredVersionsAsync(cancellationToken);
        truth = await WithRegisteredSpecsAsync(truth, registered.Keys, eventsPath, cancellationToken);
        foreach (var skipped in truth.Keys.Where(v => !registered.ContainsKey(Versioned(v))))
        {
            output.WriteLine($"skipping {skipped}: that version is not registered");
        }

        var ranges = truth
            .Where(v => registered.ContainsKey(Versioned(v.Key)))
            .SelectMany(v => Ranges(v.Key, v.Value))
            .ToList();
        var total = ranges.Sum(r => r.Expected.Count);
        output.WriteLine(
            string.Create(
                CultureInfo.InvariantCulture,
                $"verifying {total:N0} keys of {truth.Count} views with {ranges.Count:N0} range queries"
            )
        );

        var tally = new Tally();
        using var progress = new Timer(
            _ =>
                output.WriteLine(
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"  {Volatile.Read(ref tally.Checked):N0} of {total:N0} keys checked"
                    )
                ),
            null,
            TimeSpan.FromSeconds(2),
            TimeSpan.FromSeconds(2)
        );
        var watch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(
            ranges,
            new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (range, ct) =>
            {
                var (name, version) = Split(Versioned(range.View));
                var uri = new Uri(
                    baseUri,
                    $"api/views/{name}?from={Uri.EscapeDataString(range.From)}"
                        + $"&to={Uri.EscapeDataString(range.To)}&version={version}"
                );
                using var answer =
                    await http.GetFromJsonAsync<JsonDocument>(uri, ct)
                    ?? throw new InvalidDataException($"{uri} answered nothing");
                var found = answer
                    .RootElement.GetProperty("keys")
                    .EnumerateArray()
                    .ToDictionary(k => k.GetProperty("key").GetString()!, k => k.Clone(), StringComparer.Ordinal);
                foreach (var (key, expected) in range.Expected)
                {
                    // A key with no answer is null here (a JsonElement's default would be no element at all).
                    tally.Check(
                        range.View,
                        key,
                        expected,
                        found.TryGetValue(key, out var one) ? one : null,
                        registered[Versioned(range.View)]
                    );
                }
            }
        );

        progress.Change(Timeout.Infinite, Timeout.Infinite);
        foreach (var difference in tally.Differences.Order(StringComparer.Ordinal).Take(25))
        {
            output.WriteLine(difference);
        }

        foreach (var view in tally.NotCaughtUp.Order(StringComparer.Ordinal))
        {
            var (name, version) = Split(Versioned(view));
            output.WriteLine(
                $"{view} is not caught up: its answers lack the events from before its registration until it is "
                    + $"replayed (pipeline replay --view {name} --version {version} --wait)"
            );
        }

        output.WriteLine(
            string.Create(
                CultureInfo.InvariantCulture,
                $"checked {total:N0} keys of {truth.Count} views in {watch.Elapsed.TotalSeconds:0.0} s: "
                    + $"{tally.Correct:N0} correct ({tally.Correct - tally.NotCovered:N0} covered by the batch layer, "
                    + $"{tally.NotCovered:N0} not yet), {tally.Differences.Count:N0} differ, {tally.Unchecked:N0} "
                    + $"of versions not caught up ({tally.Approximate:N0} answers approximate)"
            )
        );
        if (tally.NotCovered > 0)
        {
            output.WriteLine(
                "answers not yet covered by the batch layer are in epochs that were not sealed or not recomputed yet: "
                    + "pipeline recompute --all --wait covers everything published before it"
            );
        }

        return tally.Differences.Count == 0 && (!requireBatch || (tally.NotCovered == 0 && tally.Unchecked == 0));
    }

    /// <summary>
    /// The truth's keys of one view version as ranges of at most 366 windows, every dimension at once (a
    /// range whose ends carry no dimension answers them all).
    /// </summary>
    private static IEnumerable<KeyRange> Ranges(string view, SortedDictionary<string, ExpectedAnswer> keys)
    {
        var ordered = keys.OrderBy(k => WindowStart(k.Key)).ToList();
        var start = 0;
        for (var i = 1; i <= ordered.Count; i++)
        {
            if (i == ordered.Count || Windows(ordered[start].Key, ordered[i].Key) >= MaxRangeWindows)
            {
                var part = ordered[start..i];
                yield return new KeyRange(
                    view,
                    Window(part[0].Key),
                    Window(part[^1].Key),
                    part.ToDictionary(k => k.Key, k => k.Value, StringComparer.Ordinal)
                );
                start = i;
            }
        }
    }

    private static string Window(string key) => key.Split('|')[0];

    private static DateTime WindowStart(string key) =>
        TimeWindows.TryDetect(Window(key), out _, out var start)
            ? start
            : throw new InvalidDataException($"'{key}' starts with no window");

    private static long Windows(string first, string last) =>
        TimeWindows.TryDetect(Window(first), out var window, out var start)
            ? window.Between(start, WindowStart(last))
            : throw new InvalidDataException($"'{first}' starts with no window");

    private static string Versioned(string view) => view.Contains('@', StringComparison.Ordinal) ? view : $"{view}@1";

    private static (string Name, string Version) Split(string versioned) =>
        versioned.Split('@') is [var name, var version] ? (name, version) : throw new InvalidDataException(versioned);

    /// <summary>
    /// The truth of every registered version the file has none for (registered after the publish, or not shipped),
    /// computed from the published events kept beside it and the version's spec as the pipeline holds it; a version
    /// that cannot be checked is said.
    /// </summary>
    private async Task<SortedDictionary<string, SortedDictionary<string, ExpectedAnswer>>> WithRegisteredSpecsAsync(
        SortedDictionary<string, SortedDictionary<string, ExpectedAnswer>> truth,
        IEnumerable<string> registered,
        string? eventsPath,
        CancellationToken cancellationToken
    )
    {
        var missing = registered.Where(v => !truth.ContainsKey(TruthName(v))).Order(StringComparer.Ordinal).ToList();
        if (missing.Count == 0)
        {
            return truth;
        }

        if (eventsPath is null || !File.Exists(eventsPath))
        {
            foreach (var version in missing)
            {
                output.WriteLine($"cannot check {version}: the published events are not kept beside the ground truth");
            }

            return truth;
        }

        var specs = new List<Domain.Views.Specs.ViewSpec>();
        foreach (var version in missing)
        {
            var (name, number) = Split(version);
            using var answer =
                await http.GetFromJsonAsync<JsonDocument>(
                    new Uri(baseUri, $"api/views/{Uri.EscapeDataString(name)}/versions/{number}"),
                    cancellationToken
                ) ?? throw new InvalidDataException($"{version}'s spec answered nothing");
            var reading = Domain.Views.Specs.ViewSpecReader.Read(answer.RootElement.GetProperty("spec").GetRawText());
            if (reading.Spec is { } spec)
            {
                specs.Add(spec);
            }
            else
            {
                output.WriteLine($"cannot check {version}: {string.Join("; ", reading.Problems)}");
            }
        }

        var all = new SortedDictionary<string, SortedDictionary<string, ExpectedAnswer>>(truth, StringComparer.Ordinal);
        foreach (var (view, keys) in GroundTruth.Compute(await GroundTruth.ReadEventsAsync(eventsPath), specs))
        {
            all[view] = keys;
        }

        return all;
    }

    private static string TruthName(string versioned) =>
        versioned.EndsWith("@1", StringComparison.Ordinal) ? versioned[..^2] : versioned;

    /// <summary>Every registered version as <c>name@N</c>, and whether it is caught up.</summary>
    private async Task<Dictionary<string, bool>> RegisteredVersionsAsync(CancellationToken cancellationToken)
    {
        using var views =
            await http.GetFromJsonAsync<JsonDocument>(new Uri(baseUri, "api/views"), cancellationToken)
            ?? throw new InvalidDataException("api/views answered nothing");
        var registered = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var view in views.RootElement.EnumerateArray())
        {
            var name = view.GetProperty("name").GetString()!;
            foreach (var version in view.GetProperty("versions").EnumerateArray())
            {
                registered[
                    string.Create(CultureInfo.InvariantCulture, $"{name}@{version.GetProperty("version").GetInt32()}")
                ] = version.GetProperty("caughtUp").GetBoolean();
            }
        }

        return registered;
    }

    /// <summary>What differs in an answer of a view of several aggregates, or null when nothing does.</summary>
    private static string? Differs(ExpectedAnswer expected, JsonElement? answer, long events)
    {
        var values = answer?.TryGetProperty("values", out var v) == true ? v : (JsonElement?)null;
        var skipped = answer?.TryGetProperty("skipped", out var s) == true ? s : (JsonElement?)null;
        var differences = new List<string>();
        if (events != expected.Events)
        {
            differences.Add(
                string.Create(CultureInfo.InvariantCulture, $"{events} events, expected {expected.Events}")
            );
        }

        foreach (var (name, value) in expected.Values!)
        {
            var got =
                values?.TryGetProperty(name, out var found) == true && found.ValueKind == JsonValueKind.Number
                    ? found.GetDecimal()
                    : (decimal?)null;
            var gotSkipped = skipped?.TryGetProperty(name, out var n) == true ? n.GetInt64() : 0;
            var expectedSkipped = expected.Skipped?.GetValueOrDefault(name) ?? 0;
            if (got != value || gotSkipped != expectedSkipped)
            {
                differences.Add(
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"{name} {got} ({gotSkipped} skipped), expected {value} ({expectedSkipped} skipped)"
                    )
                );
            }
        }

        return differences.Count == 0 ? null : string.Join("; ", differences);
    }

    private sealed record KeyRange(string View, string From, string To, Dictionary<string, ExpectedAnswer> Expected);

    /// <summary>The outcome so far; checks come from several requests at once.</summary>
    private sealed class Tally
    {
        public int Checked;

        public int Correct { get; private set; }

        public int NotCovered { get; private set; }

        public int Approximate { get; private set; }

        public int Unchecked { get; private set; }

        public List<string> Differences { get; } = [];

        public HashSet<string> NotCaughtUp { get; } = new(StringComparer.Ordinal);

        /// <summary>Checks one key; a key with no answer is as caught up as its version is.</summary>
        public void Check(string view, string key, ExpectedAnswer expected, JsonElement? answer, bool versionCaughtUp)
        {
            var value =
                answer?.TryGetProperty("value", out var v) == true && v.ValueKind == JsonValueKind.Number
                    ? v.GetDecimal()
                    : (decimal?)null;
            var events = answer?.GetProperty("events").GetInt64() ?? 0;
            var provenance = answer?.GetProperty("provenance");
            var caughtUp = provenance?.GetProperty("caughtUp").GetBoolean() ?? versionCaughtUp;
            lock (this)
            {
                Checked++;
                Approximate += provenance?.GetProperty("approximate").GetBoolean() == true ? 1 : 0;
                if (!caughtUp)
                {
                    Unchecked++;
                    NotCaughtUp.Add(view);
                }
                else if (expected.Values is not null && Differs(expected, answer, events) is { } difference)
                {
                    Differences.Add($"{view} {key}: {difference}");
                }
                else if (expected.Values is null && ((value ?? 0) != expected.Value || events != expected.Events))
                {
                    Differences.Add(
                        string.Create(
                            CultureInfo.InvariantCulture,
                            $"{view} {key}: got {value} from {events} events, expected {expected.Value} from "
                                + $"{expected.Events}"
                        )
                    );
                }
                else
                {
                    Correct++;
                    NotCovered += provenance?.GetProperty("coveredByBatch").GetBoolean() == true ? 0 : 1;
                }
            }
        }
    }
}
