using System.Net.Http.Json;
using System.Text.Json;
using Pipeline.Application;
using Pipeline.Application.Ingest;

namespace Pipeline.DevHost;

/// <summary>
/// Another dev host's emulated event hub, reached over HTTP (<c>DevHost:EventHubs=http://127.0.0.1:7071</c>):
/// this host publishes there and asks it about partitions, as an instance in Azure uses Event Hubs. So a second
/// dev host on the same storage and task hub serves queries and runs orchestration work beside the first.
/// </summary>
internal sealed class RemoteEventHub(HttpClient http) : IEventPublisher, IEventHubPartitions
{
    /// <summary>The setting naming the dev host that owns the emulated hub.</summary>
    public const string Setting = "DevHost:EventHubs";

    public static RemoteEventHub For(string owner)
    {
        if (
            !Uri.TryCreate(owner.TrimEnd('/') + "/", UriKind.Absolute, out var uri)
            || uri.Scheme is not ("http" or "https")
        )
        {
            throw new InvalidOperationException(
                $"{Setting} '{owner}' is not the http address of the dev host that owns the emulated event hub"
            );
        }

        return new RemoteEventHub(new HttpClient { BaseAddress = uri, Timeout = TimeSpan.FromMinutes(2) });
    }

    public (long Bytes, string Setting) MaxRequestBytes => (64L * 1024 * 1024, "DevHost:MaxRequestBytes of the owner");

    public async Task<PublishOutcome> PublishAsync(
        IReadOnlyList<ReadOnlyMemory<byte>> events,
        CancellationToken cancellationToken
    )
    {
        var body = new MemoryStream();
        foreach (var e in events)
        {
            await body.WriteAsync(e, cancellationToken);
            body.WriteByte((byte)'\n');
        }

        body.Position = 0;
        using var content = new StreamContent(body);
        content.Headers.ContentType = new("application/x-ndjson");
        using var response = await http.PostAsync("api/events", content, cancellationToken);
        if (response.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable)
        {
            return new PublishOutcome(0, 0, response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1));
        }

        response.EnsureSuccessStatusCode();
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        var quarantined =
            answer.RootElement.TryGetProperty("quarantined", out var q) && q.ValueKind == JsonValueKind.Number
                ? q.GetInt32()
                : (int?)null;
        return new PublishOutcome(answer.RootElement.GetProperty("accepted").GetInt32(), quarantined);
    }

    public async Task<IReadOnlyList<HubPartition>> ListAsync(CancellationToken cancellationToken = default) =>
        await http.GetFromJsonAsync<List<HubPartition>>(
            EventHubEmulatorRegistration.PartitionsPath.TrimStart('/'),
            ApiJson.Options,
            cancellationToken
        ) ?? [];
}
