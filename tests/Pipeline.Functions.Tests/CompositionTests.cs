using System.Reflection;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Application.Operations;
using Pipeline.Functions;

namespace Pipeline.Functions.Tests;

/// <summary>The Functions app's composition, checked at build: every function class and activity resolves, in a
/// scope.</summary>
public class CompositionTests
{
    [Fact]
    public void TheAppsServices_BuildWithValidation_AndResolveEveryFunctionClassAndActivity()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(
                new Dictionary<string, string?>
                {
                    ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
                    ["EventHubConnection:fullyQualifiedNamespace"] = "example.servicebus.windows.net",
                    ["EventHubName"] = "events",
                    ["RecomputeSchedule"] = "0 5 * * * *",
                }
            )
            .Build();
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance)
            .AddSingleton(typeof(ILogger<>), typeof(NullLogger<>))
            .AddFunctionsApp(configuration);

        using var provider = services.BuildServiceProvider(
            new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true }
        );
        using var scope = provider.CreateScope();

        var functionClasses = typeof(FunctionsServices)
            .Assembly.GetTypes()
            .Where(t => t.GetMethods().Any(m => m.GetCustomAttribute<FunctionAttribute>() is not null && !m.IsStatic))
            .ToList();
        Assert.NotEmpty(functionClasses);
        Assert.All(
            functionClasses,
            type => Assert.NotNull(ActivatorUtilities.CreateInstance(scope.ServiceProvider, type))
        );

        var registry = new DurableTaskRegistry();
        registry.AddPipelineTasks();
        var activities = typeof(PipelineTasks)
            .Assembly.GetTypes()
            .Where(t =>
                t.GetCustomAttribute<DurableTaskAttribute>() is not null
                && t.BaseType?.Name.StartsWith("TaskActivity", StringComparison.Ordinal) == true
            )
            .ToList();
        Assert.Equal(PipelineTasks.ActivityNames.Count, activities.Count);
        Assert.All(activities, type => Assert.NotNull(ActivatorUtilities.CreateInstance(scope.ServiceProvider, type)));
    }
}
