using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Pipeline.Application.Ingest;

/// <summary>Registration of the Event Hubs publisher (the Functions app's <c>POST /api/events</c>).</summary>
public static class EventPublisherRegistration
{
    /// <summary>Adds <see cref="EventHubsPublisher"/>, read from settings now, so a missing setting stops the start
    /// naming it.</summary>
    public static IServiceCollection AddEventHubsPublisher(
        this IServiceCollection services,
        IConfiguration configuration
    )
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var publisher = EventHubsPublisher.FromSettings(name => configuration[name]);
        services.AddSingleton<IEventPublisher>(publisher);
        services.AddSingleton<IEventHubPartitions>(publisher);
        return services;
    }
}
