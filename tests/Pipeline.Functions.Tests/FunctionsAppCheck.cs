using System.Text.Json;
using System.Text.RegularExpressions;
using Pipeline.Application.Api;

namespace Pipeline.Functions.Tests;

/// <summary>What the Functions app must agree with: the shared route table and orchestration catalog, and
/// the settings sample and infrastructure that must provide every setting it reads.</summary>
internal sealed record FunctionsAppContract(
    IReadOnlyList<ApiRoute> Routes,
    IReadOnlyCollection<string> Orchestrators,
    IReadOnlyCollection<string> Activities,
    IReadOnlyCollection<string> AppSettings,
    string LocalSettingsSample,
    string Infrastructure);

/// <summary>Compares the Functions app's declarations with its contract; returns every disagreement.</summary>
internal static partial class FunctionsAppCheck
{
    public static IReadOnlyList<string> Problems(IReadOnlyList<FunctionDeclaration> functions, FunctionsAppContract contract)
    {
        var problems = new List<string>();
        problems.AddRange(functions.Where(f => f.DelegationProblem is not null).Select(f => f.DelegationProblem!));
        problems.AddRange(functions.GroupBy(f => f.Name, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => $"two functions are named '{g.Key}'"));
        CheckRoutes(functions, contract.Routes, problems);
        CheckOrchestrations(functions, contract, problems);
        CheckTriggers(functions, problems);
        CheckSettings(functions, contract, problems);
        return problems;
    }

    private static void CheckRoutes(IReadOnlyList<FunctionDeclaration> functions, IReadOnlyList<ApiRoute> routes, List<string> problems)
    {
        var declared = functions.Where(f => f.Trigger == "HttpTrigger")
            .SelectMany(f => f.HttpMethods.Select(m => $"{m} /{f.Route} ({(f.AuthorizationLevel == "Function" ? "admin" : f.AuthorizationLevel == "Anonymous" ? "public" : f.AuthorizationLevel)})"))
            .ToHashSet(StringComparer.Ordinal);
        var expected = routes.Select(r => $"{r.Method} /{r.Template} ({(r.Admin ? "admin" : "public")})").ToHashSet(StringComparer.Ordinal);
        problems.AddRange(expected.Except(declared).Select(r => $"the dev host serves {r}, the Functions app does not"));
        problems.AddRange(declared.Except(expected).Select(r => $"the Functions app serves {r}, the dev host does not"));
    }

    private static void CheckOrchestrations(IReadOnlyList<FunctionDeclaration> functions, FunctionsAppContract contract, List<string> problems)
    {
        Compare("orchestrator", functions.Where(f => f.Trigger == "OrchestrationTrigger").Select(f => f.Name), contract.Orchestrators, problems);
        Compare("activity", functions.Where(f => f.Trigger == "ActivityTrigger").Select(f => f.Name), contract.Activities, problems);
        foreach (var function in functions.Where(f => f.Trigger is "OrchestrationTrigger" or "ActivityTrigger" && f.DelegationProblem is null))
        {
            if (function.DelegatesTo != "OrchestrationCatalog" || !string.Equals(function.DispatchedName, function.Name, StringComparison.Ordinal))
            {
                problems.Add($"function '{function.Name}' must run the catalog's '{function.Name}', not {function.DelegatesTo}'s '{function.DispatchedName}'");
            }
        }
    }

    private static void Compare(string kind, IEnumerable<string> declared, IReadOnlyCollection<string> expected, List<string> problems)
    {
        var have = declared.ToHashSet(StringComparer.Ordinal);
        problems.AddRange(expected.Except(have).Select(n => $"no {kind} function runs the shared {kind} '{n}'"));
        problems.AddRange(have.Except(expected).Select(n => $"the {kind} function '{n}' has no shared {kind} of that name"));
    }

    private static void CheckTriggers(IReadOnlyList<FunctionDeclaration> functions, List<string> problems)
    {
        var expected = new Dictionary<string, string> { ["EventHubTrigger"] = "IngestHandler", ["TimerTrigger"] = "BatchSchedule", ["HttpTrigger"] = "PipelineEndpoints" };
        foreach (var function in functions.Where(f => f.DelegationProblem is null && f.Trigger is not null && expected.ContainsKey(f.Trigger)))
        {
            if (function.DelegatesTo != expected[function.Trigger!])
            {
                problems.Add($"function '{function.Name}' ({function.Trigger}) must hand over to {expected[function.Trigger!]}, not {function.DelegatesTo}");
            }
        }

        if (functions.Count(f => f.Trigger == "EventHubTrigger") != 1)
        {
            problems.Add("the app must have exactly one Event Hubs trigger");
        }
    }

    private static void CheckSettings(IReadOnlyList<FunctionDeclaration> functions, FunctionsAppContract contract, List<string> problems)
    {
        var read = contract.AppSettings.Concat(functions.SelectMany(f => f.Settings)).ToHashSet(StringComparer.Ordinal);
        using var sample = JsonDocument.Parse(contract.LocalSettingsSample);
        var sampleKeys = sample.RootElement.GetProperty("Values").EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var infraKeys = InfraSetting().Matches(contract.Infrastructure).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        foreach (var setting in read)
        {
            if (!sampleKeys.Contains(setting))
            {
                problems.Add($"the app reads '{setting}', which local.settings.sample.json does not have");
            }

            // In Azure, storage and Event Hubs are reached by identity: the account name, not a connection string.
            var inAzure = setting == "AzureWebJobsStorage" ? "AzureWebJobsStorage__accountName" : setting;
            if (!infraKeys.Contains(inAzure))
            {
                problems.Add($"the app reads '{inAzure}', which the infrastructure's app settings do not set");
            }
        }

        foreach (var connection in read.Where(s => s.EndsWith("__fullyQualifiedNamespace", StringComparison.Ordinal)).Select(s => s[..s.IndexOf("__", StringComparison.Ordinal)]).Append("AzureWebJobsStorage"))
        {
            if (!infraKeys.Contains($"{connection}__credential"))
            {
                problems.Add($"the infrastructure does not say '{connection}__credential' (managedidentity)");
            }
        }

        foreach (var secret in new[] { "AccountKey=", "SharedAccessKey", "listKeys(", "DefaultEndpointsProtocol" })
        {
            if (contract.Infrastructure.Contains(secret, StringComparison.OrdinalIgnoreCase))
            {
                problems.Add($"the infrastructure contains '{secret}': app settings must use identities only");
            }
        }
    }

    [GeneratedRegex(@"\{\s*name:\s*'([^']+)'\s*,\s*value:")]
    private static partial Regex InfraSetting();
}
