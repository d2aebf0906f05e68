using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Pipeline.Application.Api;
using Pipeline.Application.Configuration;
using Pipeline.Application.Ingest;
using Pipeline.Application.Serving;
using Pipeline.Application.Storage;
using Pipeline.Domain.Views;
using Pipeline.Storage.Core;

namespace Pipeline.Application;

/// <summary>The composition root both hosts call.</summary>
public static class PipelineServiceCollectionExtensions
{
    /// <summary>
    /// Registers the pipeline: validated options (section <c>Pipeline</c>), the storage account (connection
    /// <c>AzureWebJobsStorage</c>), the views, ingest and query handlers, and a start-up step that creates
    /// the tables and containers. Missing or invalid settings fail the start, naming the setting.
    /// </summary>
    public static IServiceCollection AddPipeline(this IServiceCollection services, IConfiguration configuration, IEnumerable<ViewDefinition>? views = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<PipelineOptions>()
            .Bind(configuration.GetSection(PipelineOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton(_ => StorageAccount.FromSettings(name => configuration[name]));
        services.AddSingleton(sp => new PipelineStore(sp.GetRequiredService<StorageAccount>(), sp.GetRequiredService<IOptions<PipelineOptions>>().Value));
        services.AddSingleton(new ViewRegistry(views ?? BuiltInViews.All));
        services.AddSingleton<ProgressStore>();
        services.AddSingleton<IngestHandler>();
        services.AddSingleton<ViewQueryService>();
        services.AddSingleton<PipelineApi>();
        services.AddHostedService<StorageInitializer>();
        return services;
    }

    /// <summary>Creates the tables and containers before the host serves anything.</summary>
    private sealed class StorageInitializer(PipelineStore store) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => store.EnsureCreatedAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
