using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Pipeline.Application.Audit;
using Pipeline.Application.Batch;
using Pipeline.Application.Configuration;
using Pipeline.Application.Ingest;
using Pipeline.Application.Operations;
using Pipeline.Application.Quarantine;
using Pipeline.Application.Serving;
using Pipeline.Application.Storage;
using Pipeline.Application.Time;
using Pipeline.Application.Versions;
using Pipeline.Domain.Views;
using Pipeline.Domain.Views.Specs;
using Pipeline.Storage;

namespace Pipeline.Application;

/// <summary>The composition root both hosts call.</summary>
public static class PipelineServiceCollectionExtensions
{
    /// <summary>
    /// Registers the pipeline: validated options (section <c>Pipeline</c>), the storage account (connection
    /// <c>AzureWebJobsStorage</c>), the clock, the views, and the services of every layer, and a start-up step that
    /// creates the tables and containers. Missing or invalid settings fail the start, naming the setting. The host
    /// adds its <see cref="IEventPublisher"/> (and, on the dev host, its <see cref="IPartitionBacklog"/>).
    /// </summary>
    public static IServiceCollection AddPipeline(
        this IServiceCollection services,
        IConfiguration configuration,
        IEnumerable<ViewDefinition>? views = null
    )
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services
            .AddOptions<PipelineOptions>()
            .Bind(configuration.GetSection(PipelineOptions.Section))
            .ValidateDataAnnotations()
            .Validate(
                o => o.RetryHorizon >= o.EpochLength,
                "Pipeline:RetryHorizon must be at least Pipeline:EpochLength (a fold chunk spans whole epochs)"
            )
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<PipelineClock>();
        services.AddSingleton(_ => StorageAccount.FromSettings(name => configuration[name]));
        services.TryAddSingleton(sp => new StorageDescription(
            "configured account",
            sp.GetRequiredService<StorageAccount>().Blobs.Uri.GetLeftPart(UriPartial.Authority),
            Persistent: true
        ));
        services.AddSingleton(sp => new PipelineStore(
            sp.GetRequiredService<StorageAccount>(),
            sp.GetRequiredService<IOptions<PipelineOptions>>().Value
        ));
        services.AddSingleton(new ViewRegistry(views ?? BuiltInViews.All));
        services.AddSingleton<SpecRegistry>();
        services.AddSingleton<StorageHealth>();

        // Ingest.
        services.AddSingleton<ProgressStore>();
        services.AddSingleton<SealedBoundary>();
        services.AddSingleton<IngestMetrics>();
        services.AddSingleton<IngestHandler>();
        services.AddSingleton<IngestStatusService>();
        services.AddSingleton<EventIntake>();
        services.AddSingleton<QuarantineReader>();

        // Batch and serving.
        services.AddSingleton<PointerStore>();
        services.AddSingleton<ViewQueryService>();
        services.AddSingleton<AnswerService>();
        services.AddSingleton<SpeedRetirement>();
        services.AddSingleton<SupersededBatchData>();
        services.AddSingleton<BatchSchedule>();
        services.AddSingleton(RecomputeSchedule.From(configuration));

        // Versions, operations and audits.
        services.AddSingleton<VersionStore>();
        services.AddSingleton<VersionRegistrations>();
        services.AddSingleton<RoutingService>();
        services.AddSingleton<ViewCatalog>();
        services.AddSingleton<ShadowRecorder>();
        services.AddSingleton<VersionDropper>();
        services.AddSingleton<RunStarter>();
        services.AddSingleton<OperationService>();
        services.AddSingleton<StalledOperations>();
        services.AddSingleton<AuditStore>();
        services.AddSingleton<AuditService>();

        services.AddHostedService<StorageInitializer>();
        return services;
    }

    /// <summary>Creates the tables and containers, checks the data's settings and registers the views before the host
    /// serves anything.</summary>
    private sealed class StorageInitializer(PipelineStore store, SpecRegistry specs, IOptions<PipelineOptions> options)
        : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            await store.EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
            await StoredSettingsGuard
                .CheckAsync(store, options.Value.EpochLength, cancellationToken)
                .ConfigureAwait(false);
            await specs.RegisterShippedAsync(ShippedSpecs.All, cancellationToken).ConfigureAwait(false);
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
