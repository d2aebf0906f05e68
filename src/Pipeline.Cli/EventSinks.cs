using System.Net;
using System.Text;
using Azure;
using Azure.Core;
using Azure.Messaging.EventHubs.Producer;
using Pipeline.Application.Ingest;

namespace Pipeline.Cli;

/// <summary>Where the publisher sends events. A send either is acknowledged (durable) or throws.</summary>
internal interface IEventSink
{
    Task SendAsync(IReadOnlyList<GeneratedEvent> events, CancellationToken cancellationToken);
}

/// <summary>A refusal that says when to try again (503 with Retry-After).</summary>
internal sealed class RetryLaterException(TimeSpan delay, string message) : Exception(message)
{
    public TimeSpan Delay { get; } = delay;
}

/// <summary>
/// Publishes to the dev host's <c>POST /api/events</c> as NDJSON (one event per line, so that a
/// malformed event cannot spoil its neighbours); 202 means durable.
/// </summary>
internal sealed class DevHostSink(HttpClient http, Uri baseUri) : IEventSink
{
    /// <summary>Throws when nothing answers at the address (a pipeline that answers, healthy or not, passes).</summary>
    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(new Uri(baseUri, "health"), cancellationToken);
    }

    public async Task SendAsync(IReadOnlyList<GeneratedEvent> events, CancellationToken cancellationToken)
    {
        var body = string.Join('\n', events.Select(e => e.Json));
        using var content = new StringContent(body, Encoding.UTF8, "application/x-ndjson");
        using var response = await http.PostAsync(new Uri(baseUri, "api/events"), content, cancellationToken);
        await ThrowUnlessAsync(response, HttpStatusCode.Accepted, cancellationToken);
    }

    internal static async Task ThrowUnlessAsync(
        HttpResponseMessage response,
        HttpStatusCode expected,
        CancellationToken cancellationToken
    )
    {
        if (
            response.StatusCode == expected
            || (expected == HttpStatusCode.Accepted && response.StatusCode == HttpStatusCode.Created)
        )
        {
            return;
        }

        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode is HttpStatusCode.ServiceUnavailable or HttpStatusCode.TooManyRequests)
        {
            throw new RetryLaterException(
                response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1),
                $"{(int)response.StatusCode}: {text}"
            );
        }

        if ((int)response.StatusCode is >= 400 and < 500 and not 408)
        {
            // The request itself is wrong: sending it again cannot help.
            throw new InvalidOperationException(
                $"the pipeline refused a batch: {(int)response.StatusCode} {response.ReasonPhrase}: {text}"
            );
        }

        throw new HttpRequestException(
            $"{(int)response.StatusCode} {response.ReasonPhrase}: {text}",
            null,
            response.StatusCode
        );
    }
}

/// <summary>
/// Publishes to an Event Hub with the SDK's producer client (through <see cref="EventHubsPublisher"/>:
/// partition key = subject, else id; batches sized by the client), authorized with a shared access key
/// or a Microsoft Entra credential.
/// </summary>
internal sealed class EventHubSink(IEventPublisher publisher) : IEventSink, IAsyncDisposable
{
    /// <summary>A sink for <paramref name="hubUri"/> (<c>https://NAMESPACE.servicebus.windows.net/HUB</c>).</summary>
    public static EventHubSink Create(Uri hubUri, string? keyName, string? key, TokenCredential? credential)
    {
        var hub = hubUri.AbsolutePath.Trim('/');
        if (hub.Length == 0 || hub.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"--eventhub must be https://NAMESPACE.servicebus.windows.net/HUB; '{hubUri}' names no single hub"
            );
        }

        var producer =
            keyName is not null && key is not null
                ? new EventHubProducerClient(hubUri.Host, hub, new AzureNamedKeyCredential(keyName, key))
                : new EventHubProducerClient(
                    hubUri.Host,
                    hub,
                    credential
                        ?? throw new ArgumentException("--eventhub needs --sas-key-name and --sas-key, or --entra")
                );
        return new EventHubSink(new EventHubsPublisher(producer));
    }

    public async Task SendAsync(IReadOnlyList<GeneratedEvent> events, CancellationToken cancellationToken)
    {
        var outcome = await publisher.PublishAsync(
            [.. events.Select(e => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(e.Json))],
            cancellationToken
        );
        if (outcome.RetryAfter is { } delay)
        {
            throw new RetryLaterException(
                delay,
                $"the event hub is busy ({outcome.Accepted:N0} of {events.Count:N0} events sent)"
            );
        }
    }

    public ValueTask DisposeAsync() =>
        publisher is IAsyncDisposable disposable ? disposable.DisposeAsync() : ValueTask.CompletedTask;
}
