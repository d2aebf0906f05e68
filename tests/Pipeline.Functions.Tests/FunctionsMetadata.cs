using System.Text.Json;

namespace Pipeline.Functions.Tests;

/// <summary>One function as the Functions worker SDK described it in <c>functions.metadata</c> at build time.</summary>
/// <param name="Name">The function's name.</param>
/// <param name="Trigger">The trigger binding's type (<c>httpTrigger</c>, <c>timerTrigger</c>, ...).</param>
/// <param name="Route">The HTTP route, for an HTTP trigger.</param>
/// <param name="Methods">The HTTP methods, upper case.</param>
/// <param name="AuthLevel">The authorization level (<c>Anonymous</c>, <c>Function</c>, ...).</param>
/// <param name="Schedule">The timer schedule, for a timer trigger.</param>
internal sealed record FunctionEntry(
    string Name,
    string Trigger,
    string? Route,
    IReadOnlyList<string> Methods,
    string? AuthLevel,
    string? Schedule
);

/// <summary>Reads the built Functions app's <c>functions.metadata</c>.</summary>
internal static class FunctionsMetadata
{
    /// <summary>The metadata of the app built beside these tests (same configuration).</summary>
    public static IReadOnlyList<FunctionEntry> Built()
    {
        var configuration = AppContext.BaseDirectory.Contains(
            $"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}",
            StringComparison.Ordinal
        )
            ? "Release"
            : "Debug";
        var path = Path.Combine(
            RepositoryFiles.Root,
            "src",
            "Pipeline.Functions",
            "bin",
            configuration,
            "net10.0",
            "functions.metadata"
        );
        Assert.True(
            File.Exists(path),
            $"{path} is missing: build src/Pipeline.Functions first (the test project references it)"
        );
        return Parse(File.ReadAllText(path));
    }

    public static IReadOnlyList<FunctionEntry> Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return
        [
            .. document
                .RootElement.EnumerateArray()
                .Select(function =>
                {
                    var trigger = function
                        .GetProperty("bindings")
                        .EnumerateArray()
                        .Single(b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal));
                    return new FunctionEntry(
                        function.GetProperty("name").GetString()!,
                        trigger.GetProperty("type").GetString()!,
                        Text(trigger, "route"),
                        trigger.TryGetProperty("methods", out var methods)
                            ? [.. methods.EnumerateArray().Select(m => m.GetString()!.ToUpperInvariant())]
                            : [],
                        Text(trigger, "authLevel"),
                        Text(trigger, "schedule")
                    );
                }),
        ];
    }

    private static string? Text(JsonElement binding, string name) =>
        binding.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}
