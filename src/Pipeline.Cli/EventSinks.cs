using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure.Core;

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
    public async Task SendAsync(IReadOnlyList<GeneratedEvent> events, CancellationToken cancellationToken)
    {
        var body = string.Join('\n', events.Select(e => e.Json));
        using var content = new StringContent(body, Encoding.UTF8, "application/x-ndjson");
        using var response = await http.PostAsync(new Uri(baseUri, "api/events"), content, cancellationToken);
        await ThrowUnlessAsync(response, HttpStatusCode.Accepted, cancellationToken);
    }

    internal static async Task ThrowUnlessAsync(HttpResponseMessage response, HttpStatusCode expected, CancellationToken cancellationToken)
    {
        if (response.StatusCode == expected || (expected == HttpStatusCode.Accepted && response.StatusCode == HttpStatusCode.Created))
        {
            return;
        }

        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode is HttpStatusCode.ServiceUnavailable or HttpStatusCode.TooManyRequests)
        {
            throw new RetryLaterException(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1), $"{(int)response.StatusCode}: {text}");
        }

        if ((int)response.StatusCode is >= 400 and < 500 and not 408)
        {
            // The request itself is wrong: sending it again cannot help.
            throw new InvalidOperationException($"the pipeline refused a batch: {(int)response.StatusCode} {response.ReasonPhrase}: {text}");
        }

        throw new HttpRequestException($"{(int)response.StatusCode} {response.ReasonPhrase}: {text}", null, response.StatusCode);
    }
}

/// <summary>
/// Publishes to an Event Hub through its REST send API (batched messages, partition key = subject),
/// authorized with a SAS key or a Microsoft Entra token.
/// </summary>
internal sealed class EventHubSink(HttpClient http, Uri hubUri, Func<CancellationToken, ValueTask<string>> authorization) : IEventSink
{
    public async Task SendAsync(IReadOnlyList<GeneratedEvent> events, CancellationToken cancellationToken)
    {
        var messages = events.Select(e => new Dictionary<string, object>
        {
            ["Body"] = e.Json,
            ["BrokerProperties"] = new Dictionary<string, string> { ["PartitionKey"] = string.IsNullOrEmpty(e.Subject) ? e.Id : e.Subject },
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"{hubUri.ToString().TrimEnd('/')}/messages?timeout=60&api-version=2014-01"))
        {
            Content = new StringContent(JsonSerializer.Serialize(messages), Encoding.UTF8),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.microsoft.servicebus.json");
        request.Headers.TryAddWithoutValidation("Authorization", await authorization(cancellationToken));
        using var response = await http.SendAsync(request, cancellationToken);
        await DevHostSink.ThrowUnlessAsync(response, HttpStatusCode.Created, cancellationToken);
    }

    /// <summary>A shared access signature for the hub: HMAC-SHA256 of the encoded resource URI and the expiry.</summary>
    public static string SasToken(Uri hubUri, string keyName, string key, DateTimeOffset expiry)
    {
        var resource = Uri.EscapeDataString(hubUri.ToString().TrimEnd('/').ToLowerInvariant());
        var expires = expiry.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes($"{resource}\n{expires}")));
        return $"SharedAccessSignature sr={resource}&sig={Uri.EscapeDataString(signature)}&se={expires}&skn={Uri.EscapeDataString(keyName)}";
    }

    /// <summary>A bearer token for Event Hubs from a Microsoft Entra credential.</summary>
    public static Func<CancellationToken, ValueTask<string>> Entra(TokenCredential credential) => async cancellationToken =>
    {
        var token = await credential.GetTokenAsync(new TokenRequestContext(["https://eventhubs.azure.net/.default"]), cancellationToken);
        return $"Bearer {token.Token}";
    };
}
