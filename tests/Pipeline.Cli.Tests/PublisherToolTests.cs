using System.Net;
using System.Text;
using Pipeline.Application.Ingest;
using Pipeline.Cli;
using Pipeline.Domain.Views.Specs;

namespace Pipeline.Cli.Tests;

public class PublisherToolTests
{
    private static readonly TrafficSettings Settings = new(
        10_000,
        500,
        3,
        RetryRate: 0.05,
        MalformedRate: 0.02,
        Seed: 3,
        new DateTimeOffset(2026, 11, 21, 12, 0, 0, TimeSpan.Zero)
    );

    [Fact]
    public void Generate_IsDeterministic_AndHasRetriesAndMalformedEventsAtTheAskedRates()
    {
        var first = TrafficGenerator.Generate(Settings);
        var second = TrafficGenerator.Generate(Settings);

        Assert.Equal(first.Select(e => e.Json), second.Select(e => e.Json));
        Assert.Equal(10_500, first.Count);
        Assert.Equal(500, first.Count - first.DistinctBy(e => e.Id).Count());
        Assert.InRange(first.DistinctBy(e => e.Id).Count(e => e.Malformed is not null), 150, 250);
        Assert.All(
            first.Where(e => e.Malformed is null),
            e => Assert.InRange(e.Time, Settings.Now.AddDays(-3), Settings.Now)
        );
    }

    [Fact]
    public void GroundTruth_CountsEachIdOnce_AndSkipsMalformedEvents()
    {
        var events = new List<GeneratedEvent>
        {
            new("a", "user.signup", "u1", Settings.Now, null, null, null),
            new("a", "user.signup", "u1", Settings.Now, null, null, null),
            new("b", "order.placed", "u1", Settings.Now, 10.10m, null, null),
            new("c", "order.placed", "u2", Settings.Now, 0.05m, null, null),
            new("d", "page.view", "u3", Settings.Now, null, "/p/1", null),
            new("e", "malformed", string.Empty, default, null, null, "{"),
        };

        var truth = GroundTruth.Compute(events);

        Assert.Equal(new ExpectedAnswer(1, 1), truth["new-users"]["2026-11-21"]);
        Assert.Equal(new ExpectedAnswer(3, 4), truth["active-users"]["2026-11-21"]);
        Assert.Equal(new ExpectedAnswer(10.15m, 2), truth["revenue"]["2026-11-21"]);
        Assert.Equal(new ExpectedAnswer(1, 1), truth["page-views"]["2026-11-21T12|/p/1"]);
    }

    [Fact]
    public async Task TheKeptEvents_GiveTheSameTruth_AsTheEventsPublished()
    {
        var traffic = TrafficGenerator.Generate(Settings);
        var path = Path.Combine(Path.GetTempPath(), $"truth-{Guid.NewGuid():N}.events.ndjson");
        try
        {
            await GroundTruth.WriteEventsAsync(path, traffic);
            var kept = await GroundTruth.ReadEventsAsync(path);

            Assert.Equal(traffic.Where(e => e.Malformed is null).DistinctBy(e => e.Id).Count(), kept.Count);
            Assert.Equal(
                System.Text.Json.JsonSerializer.Serialize(GroundTruth.Compute(traffic)),
                System.Text.Json.JsonSerializer.Serialize(GroundTruth.Compute(kept))
            );
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void GroundTruth_CoversEveryShippedVersion_AndAnyOtherSpec_ByTheContractsEvaluator()
    {
        var traffic = TrafficGenerator.Generate(Settings);
        var own = ViewSpecReader
            .Read(
                """
                {"name":"largest-order","version":3,"where":{"field":"type","op":"eq","value":"order.placed"},
                 "window":"day","aggregates":[{"name":"largest","op":"max","field":"data.amount"}]}
                """
            )
            .Spec!;

        var example = ViewSpecReader
            .Read(File.ReadAllBytes(Path.Combine(ViewCommandsTests.RepositoryRoot(), "examples", "new-users.2.json")))
            .Spec!;
        var shipped = GroundTruth.Compute(traffic);
        var withOwn = GroundTruth.Compute(traffic, [own, example]);

        Assert.Equal(["active-users", "new-users", "page-views", "revenue"], shipped.Keys);
        var unique = traffic.Where(e => e.Malformed is null).DistinctBy(e => e.Id).ToList();
        var signups = unique.Where(e => e.Type == "user.signup").ToList();
        Assert.Equal(signups.Count, shipped["new-users"].Values.Sum(a => a.Events));
        Assert.Equal(signups.Count(e => e.Plan != "test"), withOwn["new-users@2"].Values.Sum(a => a.Events));
        Assert.True(withOwn["new-users@2"].Values.Sum(a => a.Value) < shipped["new-users"].Values.Sum(a => a.Value));
        var orders = unique.Where(e => e.Type == "order.placed").ToList();
        Assert.Equal(
            orders
                .GroupBy(e => e.Time.UtcDateTime.Date)
                .ToDictionary(
                    g => g.Key.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
                    g => (decimal?)g.Max(e => e.Amount!.Value)
                ),
            withOwn["largest-order@3"].ToDictionary(a => a.Key, a => a.Value.Value)
        );
        // A view of several aggregates: each by name, per day and region, over orders whose amounts are sometimes
        // numeric strings.
        var regional = GroundTruth.Compute(
            traffic,
            [
                ViewSpecReader
                    .Read(
                        File.ReadAllBytes(
                            Path.Combine(ViewCommandsTests.RepositoryRoot(), "examples", "orders-by-region.1.json")
                        )
                    )
                    .Spec!,
            ]
        )["orders-by-region"];
        Assert.Equal(
            orders.GroupBy(o => o.Region).Select(g => (g.Key, g.Count(), g.Sum(o => o.Amount!.Value))).Order(),
            regional
                .GroupBy(k => k.Key.Split('|')[1])
                .Select(g =>
                    (
                        g.Key,
                        (int)g.Sum(k => k.Value.Values!["orders"]!.Value),
                        g.Sum(k => k.Value.Values!["revenue"]!.Value)
                    )
                )
                .Order()
        );
        Assert.Equal(3, regional.Keys.Select(k => k.Split('|')[1]).Distinct().Count());
        Assert.All(regional.Values, a => Assert.Equal(a.Events, a.Values!["orders"]));
        Assert.Contains(orders, o => o.Json.Contains("\"amount\":\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EventHubSink_PublishesEachEventsJson_AndABusyHubMeansRetryLater()
    {
        var events = TrafficGenerator.Generate(Settings with { Events = 3, RetryRate = 0, MalformedRate = 0 });
        var accepting = new ScriptedPublisher(null);
        var busy = new ScriptedPublisher(TimeSpan.FromSeconds(2));

        await new EventHubSink(accepting).SendAsync(events, CancellationToken.None);
        var error = await Assert.ThrowsAsync<RetryLaterException>(() =>
            new EventHubSink(busy).SendAsync(events, CancellationToken.None)
        );

        Assert.Equal(events.Select(e => e.Json), accepting.Published.Select(e => Encoding.UTF8.GetString(e.Span)));
        Assert.Equal(TimeSpan.FromSeconds(2), error.Delay);
    }

    [Theory]
    [InlineData("https://ns.servicebus.windows.net/")]
    [InlineData("https://ns.servicebus.windows.net/a/b")]
    public void EventHubSink_NeedsOneHubInItsAddress(string address)
    {
        var error = Assert.Throws<ArgumentException>(() =>
            EventHubSink.Create(new Uri(address), "send", "c2VjcmV0", null)
        );

        Assert.Contains("NAMESPACE.servicebus.windows.net/HUB", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sinks_TurnBusyAnswersIntoRetryLater_AndClientErrorsIntoFailures()
    {
        using var busy = new HttpClient(new RecordingHandler(HttpStatusCode.ServiceUnavailable));
        using var refused = new HttpClient(new RecordingHandler(HttpStatusCode.BadRequest));
        var events = TrafficGenerator.Generate(Settings with { Events = 1, RetryRate = 0, MalformedRate = 0 });

        await Assert.ThrowsAsync<RetryLaterException>(() =>
            new DevHostSink(busy, new Uri("http://127.0.0.1:1/")).SendAsync(events, CancellationToken.None)
        );
        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            new DevHostSink(refused, new Uri("http://127.0.0.1:1/")).SendAsync(events, CancellationToken.None)
        );
    }

    private sealed class ScriptedPublisher(TimeSpan? retryAfter) : IEventPublisher
    {
        public List<ReadOnlyMemory<byte>> Published { get; } = [];

        public (long Bytes, string Setting) MaxRequestBytes => (1024, "test");

        public Task<PublishOutcome> PublishAsync(
            IReadOnlyList<ReadOnlyMemory<byte>> events,
            CancellationToken cancellationToken
        )
        {
            Published.AddRange(events);
            return Task.FromResult(new PublishOutcome(retryAfter is null ? events.Count : 0, null, retryAfter));
        }
    }

    private sealed record Recorded(string Uri, string? Authorization, string? ContentType, string Body);

    private sealed class RecordingHandler(HttpStatusCode status) : HttpMessageHandler
    {
        public List<Recorded> Requests { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(
            HttpRequestMessage request,
            CancellationToken cancellationToken
        )
        {
            Requests.Add(
                new Recorded(
                    request.RequestUri!.ToString(),
                    request.Headers.TryGetValues("Authorization", out var auth) ? auth.Single() : null,
                    request.Content?.Headers.ContentType?.MediaType,
                    request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken)
                )
            );
            return new HttpResponseMessage(status) { Content = new StringContent("{}") };
        }
    }
}
