using System.Net;
using System.Text;
using System.Text.Json;
using Pipeline.Testing;

namespace Pipeline.DevHost.Tests;

[Collection(UsesAzurite.Name)]
public class BackpressureAndShutdownTests(AzuriteFixture azurite)
{
    /// <summary>NDJSON sign-ups of one subject, so that they all land in one partition.</summary>
    private static StringContent Signups(string prefix, int count) =>
        new(
            string.Join(
                '\n',
                Enumerable
                    .Range(0, count)
                    .Select(i =>
                        $$"""{"specversion":"1.0","id":"{{prefix}}{{i}}","source":"/t","type":"user.signup","subject":"same-user","time":"2026-11-20T10:00:00Z"}"""
                    )
            ),
            Encoding.UTF8,
            "application/x-ndjson"
        );

    [Fact]
    public async Task RoundRobinPartitioning_SpreadsOneSubjectsEventsOverEveryPartition_AsEventHubsWithoutAKey()
    {
        await using var run = new DevHostRun(
            azurite,
            TimeSpan.FromSeconds(5),
            new Dictionary<string, string> { ["DevHost__Partitioning"] = "round-robin" }
        );
        await run.StartHostAsync();
        using var http = new HttpClient { BaseAddress = run.BaseUri };

        // Eight events of one subject: a partition key would put them all in one partition.
        using (var published = await http.PostAsync("api/events", Signups("rr", 8)))
        {
            published.EnsureSuccessStatusCode();
        }

        using var partitions = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync("emulator/partitions"));
        Assert.Equal(
            [1L, 1L, 1L, 1L],
            partitions.RootElement.EnumerateArray().Select(p => p.GetProperty("lastEnqueuedSequence").GetInt64())
        );
    }

    [Fact]
    public async Task FullQueue_Answers503WithRetryAfter_AndWritesNothingOfThatRequest()
    {
        await using var run = new DevHostRun(
            azurite,
            TimeSpan.FromSeconds(5),
            new Dictionary<string, string>
            {
                ["DevHost__QueueCapacity"] = "1000",
                ["DevHost__MaxBatchEvents"] = "5000",
                ["DevHost__MaxBatchDelay"] = "00:00:03",
            }
        );
        await run.StartHostAsync();
        using var http = new HttpClient { BaseAddress = run.BaseUri };

        var first = http.PostAsync("api/events", Signups("a", 900));
        await run.WaitUntilQueuedAsync(900);
        using var second = await http.PostAsync("api/events", Signups("b", 900));
        using var firstResponse = await first;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, second.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), second.Headers.RetryAfter?.Delta);
        Assert.Equal(HttpStatusCode.Accepted, firstResponse.StatusCode);
        using var answer = JsonDocument.Parse(await http.GetStringAsync("api/views/new-users?key=2026-11-20"));
        Assert.Equal(900, answer.RootElement.GetProperty("value").GetInt32());
    }

    [Fact]
    public async Task GracefulStop_DrainsAcceptedEvents_AndRestartContinuesNumbering()
    {
        await using var run = new DevHostRun(
            azurite,
            TimeSpan.FromSeconds(5),
            new Dictionary<string, string>
            {
                ["DevHost__MaxBatchDelay"] = "00:00:02",
                ["DevHost__MaxBatchEvents"] = "5000",
            }
        );
        await run.StartHostAsync();
        using var http = new HttpClient { BaseAddress = run.BaseUri };

        var inFlight = http.PostAsync("api/events", Signups("drain", 300));
        await run.WaitUntilQueuedAsync(300);
        Assert.Equal(0, await run.StopHostAsync());
        using var drained = await inFlight;

        Assert.Equal(HttpStatusCode.Accepted, drained.StatusCode);
        await run.StartHostAsync();
        using var more = await http.PostAsync("api/events", Signups("after", 10));
        Assert.Equal(HttpStatusCode.Accepted, more.StatusCode);
        using var answer = JsonDocument.Parse(await http.GetStringAsync("api/views/new-users?key=2026-11-20"));
        Assert.Equal(310, answer.RootElement.GetProperty("value").GetInt32());
    }
}
