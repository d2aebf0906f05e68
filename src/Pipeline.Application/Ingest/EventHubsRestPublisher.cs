using System.Globalization;
using System.Text;
using System.Text.Json;
using Azure.Core;
using Azure.Core.Pipeline;
using Pipeline.Storage.Core;

namespace Pipeline.Application.Ingest;

/// <summary>
/// Publishes to a real Event Hub through its REST send API (batches of messages with their partition
/// key), authorized with a Microsoft Entra token: what <c>POST /api/events</c> does in the Functions app,
/// whose Event Hubs trigger then ingests the events. Bodies are split into sends under Event Hubs' 1 MB
/// batch limit; a busy hub (429, 503) asks the caller to retry.
/// </summary>
public sealed class EventHubsRestPublisher : IEventPublisher
{
    /// <summary>The Event Hubs namespace host, as the trigger's identity-based connection names it.</summary>
    public const string NamespaceSetting = "EventHubConnection:fullyQualifiedNamespace";

    /// <summary>The hub's name, shared with the trigger.</summary>
    public const string HubSetting = "EventHubName";

    /// <summary>The most JSON one send carries (Event Hubs accepts batches up to 1 MB).</summary>
    internal const int MaxSendBytes = 900 * 1024;

    private static readonly string[] Scopes = ["https://eventhubs.azure.net/.default"];
    private readonly HttpPipeline _pipeline;
    private readonly Uri _messages;

    /// <summary>
    /// Creates a publisher for <paramref name="hubUri"/> (<c>https://NAMESPACE.servicebus.windows.net/HUB</c>).
    /// A busy hub is retried <paramref name="maxRetries"/> times (honouring its Retry-After) before the
    /// caller is asked to retry.
    /// </summary>
    public EventHubsRestPublisher(Uri hubUri, TokenCredential credential, HttpPipelineTransport? transport = null, int maxRetries = 3)
    {
        ArgumentNullException.ThrowIfNull(hubUri);
        _messages = new Uri($"{hubUri.ToString().TrimEnd('/')}/messages?timeout=60&api-version=2014-01");
        var options = new PublisherOptions();
        options.Retry.MaxRetries = maxRetries;
        if (transport is not null)
        {
            options.Transport = transport;
        }

        _pipeline = HttpPipelineBuilder.Build(options, new BearerTokenAuthenticationPolicy(credential, Scopes));
    }

    /// <inheritdoc/>
    public (long Bytes, string Setting) MaxRequestBytes => (64L * 1024 * 1024, "the Functions app's publish limit");

    /// <summary>
    /// Reads <c>EventHubConnection__fullyQualifiedNamespace</c>, <c>EventHubName</c> and the connection's
    /// <c>__credential</c> / <c>__clientId</c>, as the trigger does.
    /// </summary>
    /// <exception cref="InvalidOperationException">A setting is missing; the message names it.</exception>
    public static EventHubsRestPublisher FromSettings(Func<string, string?> setting, Func<string?, string?, TokenCredential>? credentialFactory = null)
    {
        ArgumentNullException.ThrowIfNull(setting);
        var ns = setting(NamespaceSetting);
        var hub = setting(HubSetting);
        if (string.IsNullOrWhiteSpace(ns) || string.IsNullOrWhiteSpace(hub))
        {
            var missing = string.IsNullOrWhiteSpace(ns) ? "EventHubConnection__fullyQualifiedNamespace" : "EventHubName";
            throw new InvalidOperationException($"Event Hubs is not configured: set '{missing}' (the namespace host, e.g. NAME.servicebus.windows.net, and the hub's name).");
        }

        var credential = (credentialFactory ?? StorageAccount.CreateCredential)(setting("EventHubConnection:credential"), setting("EventHubConnection:clientId"));
        return new EventHubsRestPublisher(new Uri($"https://{ns.Trim().TrimEnd('/')}/{hub.Trim()}"), credential);
    }

    /// <inheritdoc/>
    public async Task<PublishOutcome> PublishAsync(IReadOnlyList<ReadOnlyMemory<byte>> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        var sent = 0;
        foreach (var (body, count) in Sends(events))
        {
            using var message = _pipeline.CreateMessage();
            message.Request.Method = RequestMethod.Post;
            message.Request.Uri.Reset(_messages);
            message.Request.Headers.SetValue("Content-Type", "application/vnd.microsoft.servicebus.json");
            message.Request.Content = RequestContent.Create(body);
            await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
            var status = message.Response.Status;
            if (status is 429 or 503)
            {
                // What was sent stays sent: a retry of the whole request re-sends it, and ingest drops producer retries.
                var delay = message.Response.Headers.TryGetValue("Retry-After", out var header) && int.TryParse(header, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) ? seconds : 1;
                return new PublishOutcome(sent, null, TimeSpan.FromSeconds(delay));
            }

            if (status != 201)
            {
                throw new InvalidOperationException($"Event Hubs refused the send: {status} {message.Response.ReasonPhrase} {message.Response.Content}");
            }

            sent += count;
        }

        return new PublishOutcome(sent, null);
    }

    /// <summary>The REST send bodies: JSON arrays of messages, each under <see cref="MaxSendBytes"/>.</summary>
    internal static IEnumerable<(byte[] Body, int Count)> Sends(IReadOnlyList<ReadOnlyMemory<byte>> events)
    {
        var buffer = new MemoryStream();
        var writer = new Utf8JsonWriter(buffer);
        var count = 0;
        foreach (var body in events)
        {
            if (count > 0 && buffer.Length + writer.BytesPending + body.Length + 256 > MaxSendBytes)
            {
                yield return Finish(writer, buffer, count);
                buffer = new MemoryStream();
                writer = new Utf8JsonWriter(buffer);
                count = 0;
            }

            if (count == 0)
            {
                writer.WriteStartArray();
            }

            writer.WriteStartObject();
            writer.WriteString("Body", Encoding.UTF8.GetString(body.Span));
            var key = EventPartitionKey.Of(body.Span);
            if (key.Length != body.Length)
            {
                // Events without subject or id (malformed) go to any partition; ingest quarantines them there.
                writer.WriteStartObject("BrokerProperties");
                writer.WriteString("PartitionKey", key);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            count++;
        }

        if (count > 0)
        {
            yield return Finish(writer, buffer, count);
        }
    }

    private static (byte[] Body, int Count) Finish(Utf8JsonWriter writer, MemoryStream buffer, int count)
    {
        writer.WriteEndArray();
        writer.Flush();
        writer.Dispose();
        return (buffer.ToArray(), count);
    }

    private sealed class PublisherOptions : ClientOptions
    {
    }
}
