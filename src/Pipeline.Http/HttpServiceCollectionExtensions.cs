using Microsoft.Extensions.DependencyInjection;

namespace Pipeline.Http;

/// <summary>Registration of the shared HTTP endpoints.</summary>
public static class HttpServiceCollectionExtensions
{
    /// <summary>Adds <see cref="PipelineEndpoints"/>; the host registers its <see
    /// cref="Application.Ingest.IEventPublisher"/>.</summary>
    public static IServiceCollection AddPipelineEndpoints(this IServiceCollection services)
    {
        services.AddSingleton<PipelineEndpoints>();
        return services;
    }
}
