using System.Text.Json;
using System.Text.RegularExpressions;
using Pipeline.Http;

namespace Pipeline.Functions.Tests;

/// <summary>
/// What the Functions app must agree with: the dev host's route table, the orchestrators and activities,
/// and the settings sample and infrastructure that must provide every setting it reads.
/// </summary>
internal sealed record FunctionsAppContract(
    IReadOnlyList<ApiRoute> Routes,
    IReadOnlyCollection<string> Orchestrators,
    IReadOnlyCollection<string> Activities,
    string Schedule,
    IReadOnlyCollection<string> AppSettings,
    string LocalSettingsSample,
    string Infrastructure
);

/// <summary>Compares the built app's functions and the settings its sources read with its contract; returns every
/// disagreement.</summary>
internal static partial class FunctionsAppCheck
{
    public static IReadOnlyList<string> Problems(
        IReadOnlyList<FunctionEntry> functions,
        IReadOnlyCollection<string> sourceSettings,
        FunctionsAppContract contract
    )
    {
        var problems = new List<string>();
        problems.AddRange(
            functions
                .GroupBy(f => f.Name, StringComparer.Ordinal)
                .Where(g => g.Count() > 1)
                .Select(g => $"two functions are named '{g.Key}'")
        );
        CheckRoutes(functions, contract.Routes, problems);
        Compare(
            "orchestrator",
            functions.Where(f => f.Trigger == "orchestrationTrigger").Select(f => f.Name),
            contract.Orchestrators,
            problems
        );
        Compare(
            "activity",
            functions.Where(f => f.Trigger == "activityTrigger").Select(f => f.Name),
            contract.Activities,
            problems
        );
        var timers = functions.Where(f => f.Trigger == "timerTrigger").ToList();
        if (timers.Count != 1 || timers[0].Schedule != contract.Schedule)
        {
            problems.Add(
                $"the app must have one timer, on {contract.Schedule}; it has "
                    + $"{string.Join(", ", timers.Select(t => $"{t.Name} on {t.Schedule}"))}"
            );
        }

        CheckSettings(
            contract.AppSettings.Concat(sourceSettings).ToHashSet(StringComparer.Ordinal),
            contract,
            problems
        );
        return problems;
    }

    private static void CheckRoutes(
        IReadOnlyList<FunctionEntry> functions,
        IReadOnlyList<ApiRoute> routes,
        List<string> problems
    )
    {
        var declared = functions
            .Where(f => f.Trigger == "httpTrigger")
            .SelectMany(f => f.Methods.Select(m => $"{m} /{f.Route} ({Access(f.AuthLevel)})"))
            .ToHashSet(StringComparer.Ordinal);
        var expected = routes
            .Select(r => $"{r.Method} /{r.Template} ({Access(r.Access)})")
            .ToHashSet(StringComparer.Ordinal);
        problems.AddRange(
            expected.Except(declared).Select(r => $"the dev host serves {r}, the Functions app does not")
        );
        problems.AddRange(
            declared.Except(expected).Select(r => $"the Functions app serves {r}, the dev host does not")
        );
    }

    private static string Access(string? authLevel) =>
        authLevel switch
        {
            "Admin" => "admin key",
            "Function" => "function key",
            "Anonymous" => "public",
            _ => authLevel ?? "unknown",
        };

    private static string Access(RouteAccess access) =>
        access switch
        {
            RouteAccess.Admin => "admin key",
            RouteAccess.Publisher => "function key",
            _ => "public",
        };

    private static void Compare(
        string kind,
        IEnumerable<string> declared,
        IReadOnlyCollection<string> expected,
        List<string> problems
    )
    {
        var have = declared.ToHashSet(StringComparer.Ordinal);
        problems.AddRange(expected.Except(have).Select(n => $"no {kind} function runs the shared {kind} '{n}'"));
        problems.AddRange(
            have.Except(expected).Select(n => $"the {kind} function '{n}' has no shared {kind} of that name")
        );
    }

    private static void CheckSettings(
        IReadOnlyCollection<string> read,
        FunctionsAppContract contract,
        List<string> problems
    )
    {
        using var sample = JsonDocument.Parse(contract.LocalSettingsSample);
        var sampleKeys = sample
            .RootElement.GetProperty("Values")
            .EnumerateObject()
            .Select(p => p.Name)
            .ToHashSet(StringComparer.Ordinal);
        var infraKeys = InfraSetting()
            .Matches(contract.Infrastructure)
            .Select(m => m.Groups[1].Value)
            .ToHashSet(StringComparer.Ordinal);
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

        foreach (
            var connection in read.Where(s => s.EndsWith("__fullyQualifiedNamespace", StringComparison.Ordinal))
                .Select(s => s[..s.IndexOf("__", StringComparison.Ordinal)])
                .Append("AzureWebJobsStorage")
        )
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
