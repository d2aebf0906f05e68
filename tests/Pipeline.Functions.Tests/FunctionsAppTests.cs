using Pipeline.Application.Api;

namespace Pipeline.Functions.Tests;

public class FunctionsAppTests
{
    private static IReadOnlyList<string> Check(Func<string, string, string>? editSource = null, Func<FunctionsAppContract, FunctionsAppContract>? editContract = null)
    {
        var sources = RepositoryFiles.FunctionSources().Select(s => editSource is null ? s.Text : editSource(s.Path, s.Text));
        var contract = RepositoryFiles.Contract();
        return FunctionsAppCheck.Problems(FunctionDeclarations.Parse(sources), editContract is null ? contract : editContract(contract));
    }

    private static string Replace(string text, string from, string to)
    {
        Assert.Contains(from, text, StringComparison.Ordinal);
        return text.Replace(from, to, StringComparison.Ordinal);
    }

    [Fact]
    public void TheFunctionsApp_AgreesWithTheDevHostTheCatalogTheSettingsAndTheInfrastructure()
    {
        var functions = FunctionDeclarations.Parse(RepositoryFiles.FunctionSources().Select(s => s.Text));
        Assert.Empty(FunctionsAppCheck.Problems(functions, RepositoryFiles.Contract()));

        // The parse found what the check relies on.
        Assert.Equal(ApiRoutes.All.Count, functions.Count(f => f.Trigger == "HttpTrigger"));
        Assert.Single(functions, f => f.Trigger == "EventHubTrigger");
        Assert.Single(functions, f => f.Trigger == "TimerTrigger");
        Assert.Contains("EventHubConsumerGroup", functions.Single(f => f.Trigger == "EventHubTrigger").Settings);
    }

    [Fact]
    public void ARouteChangedOnOneSideOnly_IsReported()
    {
        var functionSide = Check(editSource: (_, text) => text.Replace("Route = \"api/quarantine\"", "Route = \"api/quarantined\"", StringComparison.Ordinal));
        Assert.Contains("the dev host serves GET /api/quarantine (public), the Functions app does not", functionSide);
        Assert.Contains("the Functions app serves GET /api/quarantined (public), the dev host does not", functionSide);

        var hostSide = Check(editContract: c => c with { Routes = [.. c.Routes.Select(r => r == ApiRoutes.GetOperation ? r with { Template = "api/ops/{id}" } : r)] });
        Assert.Contains("the Functions app serves GET /api/operations/{id} (public), the dev host does not", hostSide);
    }

    [Fact]
    public void AMethodOrAnAuthorizationLevelChangedOnOneSide_IsReported()
    {
        var method = Check(editSource: (path, text) => path == "HttpFunctions.cs" ? Replace(text, "\"get\", Route = \"api/views\")", "\"post\", Route = \"api/views\")") : text);
        Assert.Contains("the dev host serves GET /api/views (public), the Functions app does not", method);

        var open = Check(editSource: (path, text) => path == "HttpFunctions.cs" ? Replace(text, "AuthorizationLevel.Function, \"post\"", "AuthorizationLevel.Anonymous, \"post\"") : text);
        Assert.Contains("the dev host serves POST /api/recompute/{name} (admin), the Functions app does not", open);
    }

    [Fact]
    public void ASettingMissingFromTheSampleOrTheInfrastructure_IsReported()
    {
        var sample = Check(editContract: c => c with { LocalSettingsSample = Replace(c.LocalSettingsSample, "\"Pipeline__RetirementGrace\"", "\"Pipeline__RetirementGraceX\"") });
        Assert.Contains("the app reads 'Pipeline__RetirementGrace', which local.settings.sample.json does not have", sample);

        var infra = Check(editContract: c => c with { Infrastructure = Replace(c.Infrastructure, "{ name: 'EventHubConsumerGroup',", "{ name: 'ConsumerGroup',") });
        Assert.Contains("the app reads 'EventHubConsumerGroup', which the infrastructure's app settings do not set", infra);

        // A binding that starts reading a new setting must bring it to both.
        var binding = Check(editSource: (path, text) => path == "BatchFunctions.cs" ? Replace(text, "%RecomputeSchedule%", "%BatchSchedule%") : text);
        Assert.Contains("the app reads 'BatchSchedule', which local.settings.sample.json does not have", binding);
        Assert.Contains("the app reads 'BatchSchedule', which the infrastructure's app settings do not set", binding);
    }

    [Fact]
    public void AFunctionWithLogicOfItsOwn_OrAnUnknownActivity_IsReported()
    {
        var logic = Check(editSource: (path, text) => path == "HttpFunctions.cs" ? Replace(text,
            "public async Task<IActionResult> HealthAsync([HttpTrigger(AuthorizationLevel.Anonymous, \"get\", Route = \"health\")] HttpRequest request) =>\n        await endpoints.HealthAsync(request);",
            "public async Task<IActionResult> HealthAsync([HttpTrigger(AuthorizationLevel.Anonymous, \"get\", Route = \"health\")] HttpRequest request)\n    {\n        request.HttpContext.Response.Headers[\"x\"] = \"y\";\n        return await endpoints.HealthAsync(request);\n    }") : text);
        Assert.Contains("HealthAsync: the body is not one call of a shared handler", logic);

        var activity = Check(editSource: (path, text) => path == "BatchFunctions.cs" ? Replace(text, "[Function(\"read-pointer\")]", "[Function(\"read-pointers\")]") : text);
        Assert.Contains("no activity function runs the shared activity 'read-pointer'", activity);
    }

    [Fact]
    public void TheInfrastructure_DeclaresEveryResourceAndRole_WithIdentitiesOnly()
    {
        var infra = RepositoryFiles.Infrastructure();
        foreach (var declared in new[]
        {
            "'Microsoft.Storage/storageAccounts@", "allowSharedKeyAccess: false", "immutableStorageWithVersioning", "immutabilityPolicies@", "isVersioningEnabled: true",
            "'Microsoft.EventHub/namespaces@", "'Microsoft.EventHub/namespaces/eventhubs@", "partitionCount: partitionCount", "'Microsoft.EventHub/namespaces/eventhubs/consumergroups@", "disableLocalAuth: true",
            "'Microsoft.Web/serverfarms@", "tier: 'FlexConsumption'", "'Microsoft.Web/sites@", "type: 'SystemAssigned'", "functionAppConfig",
            "'Microsoft.Insights/components@", "'Microsoft.OperationalInsights/workspaces@", "'Microsoft.Authorization/roleAssignments@",
        })
        {
            Assert.Contains(declared, infra, StringComparison.Ordinal);
        }

        // Storage Blob, Table and Queue Data Contributor; Event Hubs Data Receiver and Sender.
        foreach (var role in new[] { "ba92f5b4-2d11-453d-a403-e96b0029c9fe", "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3", "974c5e8b-45b9-4653-ba55-5f855dd0fb88", "a638d3c7-ab3a-418d-83e6-5f17a39d4fde", "2b629674-e913-4c01-ae53-ef4638d8f975" })
        {
            Assert.Contains(role, infra, StringComparison.Ordinal);
        }

        var leaky = Check(editContract: c => c with { Infrastructure = c.Infrastructure + "\n{ name: 'Storage', value: 'DefaultEndpointsProtocol=https;AccountKey=${storage.listKeys().keys[0].value}' }" });
        Assert.Contains("the infrastructure contains 'AccountKey=': app settings must use identities only", leaky);
    }
}
