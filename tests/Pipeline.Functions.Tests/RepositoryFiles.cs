using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Application;
using Pipeline.Application.Api;
using Pipeline.Application.Configuration;
using Pipeline.Application.Ingest;
using Pipeline.Application.Orchestration;

namespace Pipeline.Functions.Tests;

/// <summary>The Functions app's sources and its contract, read from the repository.</summary>
internal static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    public static IReadOnlyList<(string Path, string Text)> FunctionSources() =>
        [.. Directory.GetFiles(Path.Combine(Root, "src", "Pipeline.Functions"), "*.cs", SearchOption.AllDirectories)
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !p.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(p => (Path.GetFileName(p), File.ReadAllText(p)))];

    public static string Infrastructure() =>
        string.Join("\n", Directory.GetFiles(Path.Combine(Root, "infra"), "*.bicep", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(File.ReadAllText));

    public static FunctionsAppContract Contract()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true" }).Build();
        using var services = new ServiceCollection().AddLogging().AddPipeline(configuration).BuildServiceProvider();
        var catalog = services.GetRequiredService<OrchestrationCatalog>();
        return new FunctionsAppContract(
            ApiRoutes.All,
            catalog.OrchestratorNames,
            catalog.ActivityNames,
            [.. AppSettings()],
            File.ReadAllText(Path.Combine(Root, "local.settings.sample.json")),
            Infrastructure());
    }

    /// <summary>
    /// What the composition root reads besides the bindings: storage, the Event Hubs publisher, and every
    /// pipeline option (environment spelling).
    /// </summary>
    private static IEnumerable<string> AppSettings()
    {
        yield return "AzureWebJobsStorage";
        yield return EventHubsPublisher.NamespaceSetting.Replace(":", "__", StringComparison.Ordinal);
        yield return EventHubsPublisher.HubSetting.Replace(":", "__", StringComparison.Ordinal);
        foreach (var option in typeof(PipelineOptions).GetProperties())
        {
            yield return $"{PipelineOptions.Section}__{option.Name}";
        }
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Pipeline.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("cannot find the repository root (Pipeline.sln) above " + AppContext.BaseDirectory);
    }
}
