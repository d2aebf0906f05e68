using Azure.Core.Serialization;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Application;
using Pipeline.Application.Ingest;
using Pipeline.Http;

namespace Pipeline.Functions;

/// <summary>
/// What the Functions app registers beside the worker's own services: the same composition root as the dev
/// host, the Event Hubs publisher (which also answers what the hub says of its partitions), and the shared
/// endpoints. A test builds it with scope and build validation and resolves every function class.
/// </summary>
public static class FunctionsServices
{
    /// <summary>Registers the app's services.</summary>
    public static IServiceCollection AddFunctionsApp(this IServiceCollection services, IConfiguration configuration)
    {
        // Durable Functions serializes inputs, outputs and custom status with the worker's serializer: the
        // pipeline's JSON options make operation statuses read exactly as on the dev host.
        services.Configure<WorkerOptions>(options => options.Serializer = new JsonObjectSerializer(ApiJson.Options));
        services.AddPipeline(configuration);
        services.AddPipelineEndpoints();
        services.AddEventHubsPublisher(configuration);
        return services;
    }
}
