using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Pipeline.Application.Api;
using Pipeline.Application.Configuration;
using Pipeline.Application.Ingest;
using Pipeline.Application.Serving;
using Pipeline.Application.Storage;
using Pipeline.Domain.Views;
using Pipeline.Storage;

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
        services.TryAddSingleton(sp => new StorageDescription("configured account", sp.GetRequiredService<StorageAccount>().Blobs.Uri.GetLeftPart(UriPartial.Authority), Persistent: true));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<Time.PipelineClock>();
        services.AddSingleton(sp => new PipelineStore(sp.GetRequiredService<StorageAccount>(), sp.GetRequiredService<IOptions<PipelineOptions>>().Value));
        services.AddSingleton(new ViewRegistry(views ?? RegisteredViews(configuration)));
        services.AddSingleton<ProgressStore>();
        services.AddSingleton<IngestMetrics>();
        services.AddSingleton<IngestHandler>();
        services.AddSingleton<Batch.PointerStore>();
        services.AddSingleton<ViewQueryService>();
        services.AddSingleton<Versions.VersionStore>();
        services.AddSingleton<Versions.VersionService>(sp => new Versions.VersionService(
            sp.GetRequiredService<ViewRegistry>(), sp.GetRequiredService<Versions.VersionStore>(), sp.GetRequiredService<Batch.PointerStore>(),
            sp.GetRequiredService<PipelineStore>(), sp.GetRequiredService<Audit.AuditStore>(), sp.GetRequiredService<Time.PipelineClock>()));
        services.AddSingleton<Versions.ShadowRecorder>();
        services.AddSingleton<Versions.VersionDropper>();
        services.AddSingleton<Audit.AuditStore>();
        services.AddSingleton<Audit.AuditService>();
        services.AddSingleton<Batch.RecomputeService>();
        services.AddSingleton<Batch.SpeedRetirement>();
        services.AddSingleton<Batch.SupersededBatchData>();
        services.AddSingleton<Batch.BatchSchedule>();
        services.AddSingleton(Batch.RecomputeSchedule.From(configuration));
        services.AddSingleton<PipelineApi>();
        services.AddHostedService<StorageInitializer>();
        return services;
    }

    private static IReadOnlyList<ViewDefinition> RegisteredViews(IConfiguration configuration)
    {
        try
        {
            return BuiltInViews.With(configuration[$"{PipelineOptions.Section}:{nameof(PipelineOptions.ExtraVersions)}"]);
        }
        catch (ArgumentException ex)
        {
            throw new OptionsValidationException(nameof(PipelineOptions.ExtraVersions), typeof(PipelineOptions), [$"Pipeline:ExtraVersions: {ex.Message}"]);
        }
    }

    /// <summary>Creates the tables and containers before the host serves anything.</summary>
    private sealed class StorageInitializer(PipelineStore store, Versions.VersionService versions, IOptions<PipelineOptions> options) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            await store.EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
            await EpochLengthGuard.CheckAsync(store, options.Value.EpochLength, cancellationToken).ConfigureAwait(false);
            await versions.RegisterAllAsync(cancellationToken).ConfigureAwait(false);
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
