using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Pipeline.Application.Operations;

namespace Pipeline.Durable;

/// <summary>Registration of the dev host's Durable Task engine.</summary>
public static class DurableEngineServiceCollectionExtensions
{
    /// <summary>
    /// Runs the pipeline's orchestrations in this process on the Durable Task engine: validated settings
    /// (section <c>Durable</c>), the task hub on the pipeline's storage account, the worker registered the
    /// standard way (<c>AddDurableTaskWorker(b =&gt; b.AddTasks(...))</c>) with the pipeline's converter, and a
    /// <see cref="DurableTaskClient"/> for the application. Call after <c>AddPipeline</c>.
    /// <paramref name="tasks"/> registers the tasks; by default the pipeline's own.
    /// </summary>
    public static IServiceCollection AddDurableEngine(
        this IServiceCollection services,
        IConfiguration configuration,
        Action<DurableTaskRegistry>? tasks = null
    )
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services
            .AddOptions<DurableEngineOptions>()
            .Bind(configuration.GetSection(DurableEngineOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton<DurableEngine>();
        services.AddHostedService(sp => sp.GetRequiredService<DurableEngine>());
        services.TryAddSingleton<DurableTaskClient>(sp => new EngineClient(
            sp.GetRequiredService<DurableEngine>(),
            PipelineTasks.DataConverter
        ));
        services.AddDurableTaskWorker(builder =>
        {
            builder.AddTasks(tasks ?? (registry => registry.AddPipelineTasks()));
            builder.Configure(options => options.DataConverter = PipelineTasks.DataConverter);
            builder.UseBuildTarget<EngineWorker>();
        });
        return services;
    }
}
