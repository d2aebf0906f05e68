using System.Text.RegularExpressions;
using Pipeline.Application.Batch;
using Pipeline.Application.Configuration;
using Pipeline.Application.Ingest;
using Pipeline.Application.Operations;
using Pipeline.Http;

namespace Pipeline.Functions.Tests;

/// <summary>The Functions app's sources and its contract, read from the repository.</summary>
internal static partial class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    public static IReadOnlyList<(string Path, string Text)> FunctionSources() =>
        [
            .. Directory
                .GetFiles(Path.Combine(Root, "src", "Pipeline.Functions"), "*.cs", SearchOption.AllDirectories)
                .Where(p =>
                    !p.Contains(
                        $"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}",
                        StringComparison.Ordinal
                    )
                    && !p.Contains(
                        $"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}",
                        StringComparison.Ordinal
                    )
                )
                .Order(StringComparer.Ordinal)
                .Select(p => (Path.GetFileName(p), File.ReadAllText(p))),
        ];

    /// <summary>
    /// The settings the functions' bindings read, from their sources and the built metadata: <c>%Name%</c>
    /// expressions and identity-based connections (<c>Connection = "X"</c>, read as
    /// <c>X__fullyQualifiedNamespace</c>). The sources too, because a build without the Event Hubs extension
    /// leaves the trigger out of the metadata.
    /// </summary>
    public static IReadOnlyCollection<string> BindingSettings(
        IEnumerable<string> sources,
        IEnumerable<FunctionEntry> functions
    )
    {
        var settings = functions
            .SelectMany(f => Percent().Matches($"{f.Schedule} {f.Route}").Select(m => m.Groups[1].Value))
            .ToHashSet(StringComparer.Ordinal);
        foreach (var text in sources)
        {
            settings.UnionWith(Percent().Matches(text).Select(m => m.Groups[1].Value));
            settings.UnionWith(Connection().Matches(text).Select(m => $"{m.Groups[1].Value}__fullyQualifiedNamespace"));
        }

        return settings;
    }

    public static string Infrastructure() =>
        string.Join(
            "\n",
            Directory
                .GetFiles(Path.Combine(Root, "infra"), "*.bicep", SearchOption.AllDirectories)
                .Order(StringComparer.Ordinal)
                .Select(File.ReadAllText)
        );

    public static FunctionsAppContract Contract() =>
        new(
            ApiRoutes.All,
            PipelineTasks.OrchestratorNames,
            PipelineTasks.ActivityNames,
            $"%{RecomputeSchedule.Setting}%",
            [.. AppSettings()],
            File.ReadAllText(Path.Combine(Root, "local.settings.sample.json")),
            Infrastructure()
        );

    /// <summary>
    /// What the composition root reads besides the bindings: storage, the Event Hubs publisher, the schedule,
    /// and every pipeline option (environment spelling).
    /// </summary>
    private static IEnumerable<string> AppSettings()
    {
        yield return "AzureWebJobsStorage";
        yield return RecomputeSchedule.Setting;
        yield return EventHubsPublisher.NamespaceSetting.Replace(":", "__", StringComparison.Ordinal);
        yield return EventHubsPublisher.HubSetting.Replace(":", "__", StringComparison.Ordinal);
        foreach (var option in typeof(PipelineOptions).GetProperties())
        {
            yield return $"{PipelineOptions.Section}__{option.Name}";
        }
    }

    private static string FindRoot()
    {
        for (
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            directory is not null;
            directory = directory.Parent
        )
        {
            if (File.Exists(Path.Combine(directory.FullName, "Pipeline.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException(
            "cannot find the repository root (Pipeline.sln) above " + AppContext.BaseDirectory
        );
    }

    [GeneratedRegex(@"%([A-Za-z_][A-Za-z0-9_]*)%")]
    private static partial Regex Percent();

    [GeneratedRegex(@"Connection\s*=\s*""([A-Za-z_][A-Za-z0-9_]*)""")]
    private static partial Regex Connection();
}
