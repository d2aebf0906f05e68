using System.Diagnostics;
using Pipeline.Application.Batch;
using Pipeline.Application.Operations;
using Pipeline.Http;

namespace Pipeline.Functions.Tests;

/// <summary>The built Functions app (its <c>functions.metadata</c>) against the dev host's routes, the tasks, the
/// settings and the infrastructure.</summary>
public class FunctionsAppTests
{
    private static IReadOnlyList<string> Check(
        Func<IReadOnlyList<FunctionEntry>, IReadOnlyList<FunctionEntry>>? editFunctions = null,
        Func<string, string, string>? editSource = null,
        Func<FunctionsAppContract, FunctionsAppContract>? editContract = null
    )
    {
        var functions = FunctionsMetadata.Built();
        functions = editFunctions is null ? functions : editFunctions(functions);
        var sources = RepositoryFiles
            .FunctionSources()
            .Select(s => editSource is null ? s.Text : editSource(s.Path, s.Text));
        var contract = RepositoryFiles.Contract();
        return FunctionsAppCheck.Problems(
            functions,
            RepositoryFiles.BindingSettings(sources, functions),
            editContract is null ? contract : editContract(contract)
        );
    }

    private static IReadOnlyList<FunctionEntry> Edit(
        IReadOnlyList<FunctionEntry> functions,
        string name,
        Func<FunctionEntry, FunctionEntry?> edit
    ) => [.. functions.Select(f => f.Name == name ? edit(f) : f).OfType<FunctionEntry>()];

    private static string Replace(string text, string from, string to)
    {
        Assert.Contains(from, text, StringComparison.Ordinal);
        return text.Replace(from, to, StringComparison.Ordinal);
    }

    [Fact]
    public void TheBuiltApp_AgreesWithTheDevHostTheTasksTheSettingsAndTheInfrastructure()
    {
        var functions = FunctionsMetadata.Built();

        Assert.Empty(Check());
        Assert.Equal(ApiRoutes.All.Count, functions.Count(f => f.Trigger == "httpTrigger"));
        Assert.Equal(PipelineTasks.OrchestratorNames.Count, functions.Count(f => f.Trigger == "orchestrationTrigger"));
        Assert.Equal(PipelineTasks.ActivityNames.Count, functions.Count(f => f.Trigger == "activityTrigger"));
        Assert.Equal(
            $"%{RecomputeSchedule.Setting}%",
            Assert.Single(functions, f => f.Trigger == "timerTrigger").Schedule
        );
    }

    [Fact]
    public void ARouteChangedOnOneSideOnly_IsReported()
    {
        var functionSide = Check(editFunctions: f =>
            Edit(f, "list-quarantine", q => q with { Route = "api/quarantined" })
        );
        Assert.Contains(
            "the dev host serves GET /api/quarantine (admin key), the Functions app does not",
            functionSide
        );
        Assert.Contains(
            "the Functions app serves GET /api/quarantined (admin key), the dev host does not",
            functionSide
        );

        var hostSide = Check(editContract: c =>
            c with
            {
                Routes =
                [
                    .. c.Routes.Select(r => r == ApiRoutes.GetOperation ? r with { Template = "api/ops/{id}" } : r),
                ],
            }
        );
        Assert.Contains("the Functions app serves GET /api/operations/{id} (public), the dev host does not", hostSide);
    }

    [Fact]
    public void AMethodOrAnAuthorizationLevelChangedOnOneSide_IsReported()
    {
        var method = Check(editFunctions: f => Edit(f, "list-views", v => v with { Methods = ["POST"] }));
        Assert.Contains("the dev host serves GET /api/views (public), the Functions app does not", method);

        var open = Check(editFunctions: f => Edit(f, "start-recompute", r => r with { AuthLevel = "Anonymous" }));
        Assert.Contains("the dev host serves POST /api/recompute/{name} (admin key), the Functions app does not", open);

        // A publisher's function key must not open an admin route.
        var publisherKey = Check(editFunctions: f => Edit(f, "drop-version", r => r with { AuthLevel = "Function" }));
        Assert.Contains(
            "the dev host serves DELETE /api/views/{name}/versions/{version} (admin key), the Functions app does not",
            publisherKey
        );
    }

    [Fact]
    public void AnOrchestratorOrActivityWithoutItsFunction_IsReported()
    {
        var activity = Check(editFunctions: f => Edit(f, ReadPointerActivity.ActivityName, _ => null));
        Assert.Contains("no activity function runs the shared activity 'read-pointer'", activity);

        var orchestrator = Check(editFunctions: f =>
            Edit(f, RecomputeOrchestrator.OrchestratorName, r => r with { Name = "recompute-v0" })
        );
        Assert.Contains("no orchestrator function runs the shared orchestrator 'recompute'", orchestrator);
        Assert.Contains(
            "the orchestrator function 'recompute-v0' has no shared orchestrator of that name",
            orchestrator
        );
    }

    [Fact]
    public void ASettingMissingFromTheSampleOrTheInfrastructure_IsReported()
    {
        var sample = Check(editContract: c =>
            c with
            {
                LocalSettingsSample = Replace(
                    c.LocalSettingsSample,
                    "\"Pipeline__RetirementGrace\"",
                    "\"Pipeline__RetirementGraceX\""
                ),
            }
        );
        Assert.Contains(
            "the app reads 'Pipeline__RetirementGrace', which local.settings.sample.json does not have",
            sample
        );

        var infra = Check(editContract: c =>
            c with
            {
                Infrastructure = Replace(
                    c.Infrastructure,
                    "{ name: 'EventHubConsumerGroup',",
                    "{ name: 'ConsumerGroup',"
                ),
            }
        );
        Assert.Contains(
            "the app reads 'EventHubConsumerGroup', which the infrastructure's app settings do not set",
            infra
        );

        // A binding that starts reading a new setting must bring it to both (the trigger is read from its source).
        var binding = Check(
            editSource: (path, text) =>
                path == "IngestFunction.cs" ? Replace(text, "%EventHubConsumerGroup%", "%IngestGroup%") : text
        );
        Assert.Contains("the app reads 'IngestGroup', which local.settings.sample.json does not have", binding);
        Assert.Contains("the app reads 'IngestGroup', which the infrastructure's app settings do not set", binding);
    }

    [Fact]
    public void TheEventHubsTrigger_IsBuiltByDefault_AndAPackageWithoutItCannotBePublished()
    {
        var project = File.ReadAllText(
            Path.Combine(RepositoryFiles.Root, "src", "Pipeline.Functions", "Pipeline.Functions.csproj")
        );
        Assert.Contains(
            "<PipelineEventHubs Condition=\"'$(PipelineEventHubs)' == ''\">true</PipelineEventHubs>",
            project,
            StringComparison.Ordinal
        );
        Assert.Contains(
            "[EventHubTrigger(",
            RepositoryFiles.FunctionSources().Single(s => s.Path == "IngestFunction.cs").Text,
            StringComparison.Ordinal
        );

        var (exitCode, output) = MsBuild("-t:RefusePublishWithoutEventHubs", "-p:PipelineEventHubs=false");
        Assert.NotEqual(0, exitCode);
        Assert.Contains("cannot be published", output, StringComparison.Ordinal);
        Assert.Equal(0, MsBuild("-t:RefusePublishWithoutEventHubs", "-p:PipelineEventHubs=true").ExitCode);
    }

    [Fact]
    public void TheInfrastructure_DeclaresEveryResourceAndRole_WithIdentitiesOnly()
    {
        var infra = RepositoryFiles.Infrastructure();
        foreach (
            var declared in new[]
            {
                "'Microsoft.Storage/storageAccounts@",
                "allowSharedKeyAccess: false",
                "immutableStorageWithVersioning",
                "immutabilityPolicies@",
                "isVersioningEnabled: true",
                "'Microsoft.EventHub/namespaces@",
                "'Microsoft.EventHub/namespaces/eventhubs@",
                "partitionCount: partitionCount",
                "'Microsoft.EventHub/namespaces/eventhubs/consumergroups@",
                "disableLocalAuth: true",
                "'Microsoft.Web/serverfarms@",
                "tier: 'FlexConsumption'",
                "'Microsoft.Web/sites@",
                "type: 'SystemAssigned'",
                "functionAppConfig",
                "'Microsoft.Insights/components@",
                "'Microsoft.OperationalInsights/workspaces@",
                "'Microsoft.Authorization/roleAssignments@",
            }
        )
        {
            Assert.Contains(declared, infra, StringComparison.Ordinal);
        }

        // Storage Blob, Table and Queue Data Contributor; Event Hubs Data Receiver and Sender.
        foreach (
            var role in new[]
            {
                "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
                "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
                "974c5e8b-45b9-4653-ba55-5f855dd0fb88",
                "a638d3c7-ab3a-418d-83e6-5f17a39d4fde",
                "2b629674-e913-4c01-ae53-ef4638d8f975",
            }
        )
        {
            Assert.Contains(role, infra, StringComparison.Ordinal);
        }

        var leaky = Check(editContract: c =>
            c with
            {
                Infrastructure =
                    c.Infrastructure
                    + "\n{ name: 'Storage', value: "
                    + "'DefaultEndpointsProtocol=https;AccountKey=${storage.listKeys().keys[0].value}' }",
            }
        );
        Assert.Contains("the infrastructure contains 'AccountKey=': app settings must use identities only", leaky);
    }

    /// <summary>Runs one target of the Functions project (no build).</summary>
    private static (int ExitCode, string Output) MsBuild(params string[] arguments)
    {
        var start = new ProcessStartInfo(
            "dotnet",
            [
                "msbuild",
                Path.Combine(RepositoryFiles.Root, "src", "Pipeline.Functions", "Pipeline.Functions.csproj"),
                "-nologo",
                .. arguments,
            ]
        )
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }
}
