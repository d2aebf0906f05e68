using System.Text.Json;
using Pipeline.Domain.Views.Specs;

namespace Pipeline.Cli;

/// <summary>One key's exact answer.</summary>
/// <param name="Value">The value of a view of one aggregate.</param>
/// <param name="Events">The events that aggregate used; for a view of several, the events the view took.</param>
/// <param name="Values">Each aggregate's value by name, for a view of several.</param>
/// <param name="Skipped">Each aggregate's skipped values by name, for a view of several.</param>
internal sealed record ExpectedAnswer(
    decimal? Value,
    long Events,
    SortedDictionary<string, decimal?>? Values = null,
    SortedDictionary<string, long>? Skipped = null
);

/// <summary>
/// The exact answers of every key of every shipped view version (the specs in <c>views/</c>) for generated
/// traffic, computed by the spec contract's own simple evaluator over each event's JSON (independently of the
/// fold under test), each event id counted once and malformed events not at all. A version's truth is named
/// like <c>new-users</c> for version 1 and <c>new-users@2</c> for later ones. The published events are kept beside
/// it, so that a version registered later is checked too, with its spec as the pipeline holds it.
/// </summary>
internal static class GroundTruth
{
    public static SortedDictionary<string, SortedDictionary<string, ExpectedAnswer>> Compute(
        IEnumerable<GeneratedEvent> published,
        IReadOnlyList<ViewSpec>? specs = null
    )
    {
        var evaluators = (specs ?? ShippedSpecs.All).Select(spec => new SpecEvaluator(spec)).ToList();
        foreach (var generated in published.Where(e => e.Malformed is null).DistinctBy(e => e.Id))
        {
            using var document = JsonDocument.Parse(generated.Json);
            foreach (var evaluator in evaluators)
            {
                evaluator.Add(document.RootElement, generated.Time);
            }
        }

        var truth = new SortedDictionary<string, SortedDictionary<string, ExpectedAnswer>>(StringComparer.Ordinal);
        foreach (var evaluator in evaluators)
        {
            var spec = evaluator.Spec;
            // A view of one aggregate answers its value over the events that aggregate used; a view of several answers
            // every key it took, each aggregate by name.
            var name = spec.Version == 1 ? spec.Name : $"{spec.Name}@{spec.Version}";
            truth[name] =
                spec.Aggregates.Count == 1
                    ? new(
                        evaluator
                            .Keys.Where(k => k.Value.Aggregates[0] is { Used: > 0, Value: not null })
                            .ToDictionary(
                                k => k.Key,
                                k => new ExpectedAnswer(k.Value.Aggregates[0].Value!.Value, k.Value.Aggregates[0].Used)
                            ),
                        StringComparer.Ordinal
                    )
                    : new(
                        evaluator.Keys.ToDictionary(
                            k => k.Key,
                            k => new ExpectedAnswer(
                                null,
                                k.Value.Events,
                                new(
                                    k.Value.Aggregates.ToDictionary(a => a.Aggregate.Name, a => a.Value),
                                    StringComparer.Ordinal
                                ),
                                new(
                                    k.Value.Aggregates.ToDictionary(a => a.Aggregate.Name, a => a.Skipped),
                                    StringComparer.Ordinal
                                )
                            )
                        ),
                        StringComparer.Ordinal
                    );
        }

        return truth;
    }

    public static async Task WriteAsync(
        string path,
        SortedDictionary<string, SortedDictionary<string, ExpectedAnswer>> truth
    )
    {
        await using var file = File.Create(path);
        await JsonSerializer.SerializeAsync(file, truth, CliJson.Options);
    }

    /// <summary>Where the published events are kept beside a ground truth file: so that <c>verify</c> can compute
    /// the truth of versions registered after the publish.</summary>
    public static string EventsPath(string truthPath) => Path.ChangeExtension(truthPath, ".events.ndjson");

    /// <summary>Writes the valid events, each id once, as NDJSON.</summary>
    public static async Task WriteEventsAsync(string path, IEnumerable<GeneratedEvent> published)
    {
        await using var file = File.CreateText(path);
        foreach (var generated in published.Where(e => e.Malformed is null).DistinctBy(e => e.Id))
        {
            await file.WriteLineAsync(JsonSerializer.Serialize(generated, CliJson.Compact));
        }
    }

    /// <summary>Reads what <see cref="WriteEventsAsync"/> wrote.</summary>
    public static async Task<List<GeneratedEvent>> ReadEventsAsync(string path)
    {
        var events = new List<GeneratedEvent>();
        await foreach (var line in File.ReadLinesAsync(path))
        {
            if (line.Length > 0)
            {
                events.Add(
                    JsonSerializer.Deserialize<GeneratedEvent>(line, CliJson.Compact)
                        ?? throw new InvalidDataException($"'{path}' holds an empty line")
                );
            }
        }

        return events;
    }

    public static async Task<SortedDictionary<string, SortedDictionary<string, ExpectedAnswer>>> ReadAsync(string path)
    {
        await using var file = File.OpenRead(path);
        return await JsonSerializer.DeserializeAsync<
                SortedDictionary<string, SortedDictionary<string, ExpectedAnswer>>
            >(file, CliJson.Options) ?? throw new InvalidDataException($"'{path}' holds no ground truth");
    }
}

internal static class CliJson
{
    public static JsonSerializerOptions Options { get; } =
        new(JsonSerializerDefaults.Web)
        {
            WriteIndented = true,
            DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        };

    public static JsonSerializerOptions Compact { get; } = new(JsonSerializerDefaults.Web);
}
