using System.Net;
using System.Text;
using System.Text.Json;
using Pipeline.Testing;

namespace Pipeline.DevHost.Tests;

[Collection(UsesFourthAzurite.Name)]
public class EndToEndTests(AzuriteFixture azurite)
{
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task PublishedTraffic_WithRetriesAndMalformedEvents_EveryAnswerEqualsGroundTruth()
    {
        await using var run = new DevHostRun(azurite, TimeSpan.FromSeconds(5));
        await run.StartHostAsync();

        await using var publish = run.StartTool(
            "publish",
            "--events",
            "12000",
            "--retry-rate",
            "0.03",
            "--malformed-rate",
            "0.01",
            "--seed",
            "7"
        );
        Assert.True(await publish.WaitForExitAsync(ToolTimeout) == 0, publish.Output + run.HostOutput);
        await using var verify = run.StartTool("verify");

        Assert.True(await verify.WaitForExitAsync(ToolTimeout) == 0, verify.Output);
        Assert.Contains(" 0 differ", verify.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostKilledWhilePublishing_RestartsAndLosesOrDoublesNothing()
    {
        await using var run = new DevHostRun(azurite, TimeSpan.FromSeconds(5));
        await run.StartHostAsync();
        await using var publish = run.StartTool(
            "publish",
            "--events",
            "16000",
            "--rate",
            "4000",
            "--batch",
            "200",
            "--seed",
            "11"
        );

        await run.WaitUntilIngestedAsync(4000);
        Assert.False(publish.HasExited, "the publisher finished before the crash: " + publish.Output);
        run.KillHost();
        await run.StartHostAsync();

        Assert.True(await publish.WaitForExitAsync(ToolTimeout) == 0, publish.Output);
        Assert.Contains("retried sends", publish.Output, StringComparison.Ordinal);
        await using var verify = run.StartTool("verify");
        Assert.True(await verify.WaitForExitAsync(ToolTimeout) == 0, verify.Output + run.HostOutput);
    }

    [Fact]
    public async Task HttpApi_AnswersErrorsClearly()
    {
        await using var run = new DevHostRun(azurite, TimeSpan.FromSeconds(5));
        await run.StartHostAsync();
        using var http = new HttpClient { BaseAddress = run.BaseUri };

        using var notJson = await http.PostAsync(
            "api/events",
            new StringContent("this is not json", Encoding.UTF8, "text/plain")
        );
        using var unknownView = await http.GetAsync("api/views/no-such-view?key=2026-11-21");
        using var badKey = await http.GetAsync("api/views/new-users?key=21-11-2026");
        using var tooLong = await http.GetAsync("api/views/new-users?from=2024-01-01&to=2026-01-01");
        using var views = await http.GetAsync("api/views");
        using var quarantine = await http.GetAsync("api/quarantine");

        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownView.StatusCode);
        Assert.Contains("new-users", await unknownView.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, badKey.StatusCode);
        Assert.Contains("yyyy-MM-dd", await badKey.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Equal(HttpStatusCode.OK, views.StatusCode);
        using var listing = JsonDocument.Parse(await views.Content.ReadAsStringAsync());
        Assert.Equal(
            ["active-users", "new-users", "page-views", "revenue"],
            listing.RootElement.EnumerateArray().Select(v => v.GetProperty("name").GetString())
        );
        Assert.Equal(HttpStatusCode.Unauthorized, quarantine.StatusCode);
    }

    [Fact]
    public async Task Publish_AnswersOnlyOnceDurable_AndTheAnswerIsVisibleAtOnce()
    {
        await using var run = new DevHostRun(azurite, TimeSpan.FromSeconds(5));
        await run.StartHostAsync();
        using var http = new HttpClient { BaseAddress = run.BaseUri };
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var body =
            string.Join(
                '\n',
                Enumerable
                    .Range(0, 50)
                    .Select(i =>
                        $$"""{"specversion":"1.0","id":"s{{i}}","source":"/readme","type":"user.signup","subject":"user-{{i}}"}"""
                    )
            ) + "\n{not json}";

        using var published = await http.PostAsync(
            "api/events",
            new StringContent(body, Encoding.UTF8, "application/x-ndjson")
        );
        using var answer = await http.GetAsync($"api/views/new-users?key={today}");

        Assert.Equal(HttpStatusCode.Accepted, published.StatusCode);
        Assert.Equal("""{"accepted":50,"quarantined":1}""", await published.Content.ReadAsStringAsync());
        using var json = JsonDocument.Parse(await answer.Content.ReadAsStringAsync());
        Assert.Equal(50, json.RootElement.GetProperty("value").GetInt32());
        Assert.Equal(50, json.RootElement.GetProperty("provenance").GetProperty("eventsTimedByEnqueue").GetInt32());
        Assert.True(json.RootElement.GetProperty("provenance").GetProperty("caughtUp").GetBoolean());

        // The ingest status counts them, with the reason, and shows every partition drained.
        using var ingest = JsonDocument.Parse(await http.GetStringAsync("api/ingest"));
        var rates = ingest.RootElement.GetProperty("rates");
        Assert.Equal(50, rates.GetProperty("buckets").EnumerateArray().Sum(b => b.GetProperty("accepted").GetInt64()));
        Assert.Equal(
            1,
            rates.GetProperty("buckets").EnumerateArray().Sum(b => b.GetProperty("quarantined").GetInt64())
        );
        Assert.Equal("InvalidJson", rates.GetProperty("quarantineReasons")[0].GetProperty("reason").GetString());
        Assert.Equal(4, ingest.RootElement.GetProperty("partitions").GetArrayLength());
        Assert.All(
            ingest.RootElement.GetProperty("partitions").EnumerateArray(),
            p => Assert.Equal(0, p.GetProperty("queued").GetInt64())
        );
        Assert.Equal("00:00:05", ingest.RootElement.GetProperty("epochLength").GetString());
    }
}

[Collection(UsesAzurite.Name)]
public class BatchEndToEndTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task AfterRecompute_EveryAnswerEqualsGroundTruth_AndSealedDaysAreCoveredByBatch()
    {
        await using var run = new DevHostRun(
            azurite,
            TimeSpan.FromSeconds(2),
            new Dictionary<string, string> { ["DevHost__AdminKey"] = "test-key" }
        );
        await run.StartHostAsync();
        await using var publish = run.StartTool("publish", "--events", "12000", "--days", "3", "--seed", "5");
        Assert.True(await publish.WaitForExitAsync(TimeSpan.FromMinutes(5)) == 0, publish.Output);
        using var http = new HttpClient { BaseAddress = run.BaseUri };

        await run.WaitUntilSealedPastNowAsync();
        using var refused = await http.PostAsync("api/recompute/new-users", null);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        // A client that hangs up right after asking still gets its recompute: the view gets a batch view.
        await PostAndHangUpAsync(run.BaseUri, "/api/recompute/new-users?code=test-key");
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (await BatchCutoffAsync(http, "new-users") is null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
        }

        Assert.NotNull(await BatchCutoffAsync(http, "new-users"));
        var operations = new List<string>();
        foreach (var view in new[] { "new-users", "active-users", "revenue", "page-views" })
        {
            operations.Add(await StartRecomputeAsync(http, view));
        }

        foreach (var operation in operations)
        {
            Assert.Equal("completed", await WaitForOperationAsync(http, operation));
        }

        // The operations list finds them without their ids: newest first, filtered, paged.
        using (
            var listed = JsonDocument.Parse(
                await http.GetStringAsync("api/operations?kind=recompute&state=completed&pageSize=2")
            )
        )
        {
            var items = listed.RootElement.GetProperty("items").EnumerateArray().ToList();
            Assert.Equal(2, items.Count);
            Assert.True(
                items[0].GetProperty("createdAt").GetDateTimeOffset()
                    >= items[1].GetProperty("createdAt").GetDateTimeOffset()
            );
            Assert.All(items, i => Assert.Equal("completed", i.GetProperty("state").GetString()));
            var next = listed.RootElement.GetProperty("continuation").GetString();
            using var rest = JsonDocument.Parse(
                await http.GetStringAsync(
                    $"api/operations?kind=recompute&state=completed&pageSize=100&continuation={next}"
                )
            );
            var all = items
                .Concat(rest.RootElement.GetProperty("items").EnumerateArray())
                .Select(i => i.GetProperty("instanceId").GetString()!)
                .ToHashSet();
            Assert.Superset(operations.ToHashSet(), all); // the hung-up request's recompute may be listed too
        }

        // Every operation of that view (the batch schedule may have started an audit of it too), and no other view's.
        using (var oneView = JsonDocument.Parse(await http.GetStringAsync("api/operations?view=revenue")))
        {
            Assert.All(
                oneView.RootElement.GetProperty("items").EnumerateArray(),
                i => Assert.Matches(@"^(recompute|audit)\.revenue@", i.GetProperty("instanceId").GetString())
            );
            Assert.NotEmpty(oneView.RootElement.GetProperty("items").EnumerateArray());
        }

        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("api/operations?state=sleeping")).StatusCode);

        await using var verify = run.StartTool("verify", "--require-batch");
        Assert.True(await verify.WaitForExitAsync(TimeSpan.FromMinutes(5)) == 0, verify.Output);

        // Every key asked in window ranges (a request per view version and up to 366 windows), not one by one.
        var plan = System.Text.RegularExpressions.Regex.Match(
            verify.Output,
            @"verifying ([\d,]+) keys of 4 views with (\d+) range queries"
        );
        Assert.True(plan.Success, verify.Output);
        Assert.True(
            int.Parse(
                plan.Groups[1].Value,
                System.Globalization.NumberStyles.AllowThousands,
                System.Globalization.CultureInfo.InvariantCulture
            ) > 1000,
            verify.Output
        );
        Assert.Equal("4", plan.Groups[2].Value);
        Assert.Contains("0 differ", verify.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostKilledDuringARecompute_FinishesAfterTheRestart_WithoutRedoingFinishedChunks_AndCommitsTheRowsOfAnUninterruptedRun()
    {
        await using var run = new DevHostRun(
            azurite,
            TimeSpan.FromSeconds(2),
            new Dictionary<string, string>
            {
                ["DevHost__AdminKey"] = "test-key",
                ["Durable__ActivityConcurrency"] = "1",
                ["Pipeline__FoldChunkEvents"] = "400", // an epoch of a partition (about 500 events) per fold chunk
                ["Durable__VisibilityTimeout"] = "00:00:10", // the killed host's activity runs again sooner (each takes well under a second)
                ["Durable__LeaseInterval"] = "00:00:05",
            }
        );
        await run.StartHostAsync();
        await using var publish = run.StartTool(
            "publish",
            "--events",
            "12000",
            "--days",
            "3",
            "--seed",
            "9",
            "--rate",
            "1000"
        );
        Assert.True(await publish.WaitForExitAsync(TimeSpan.FromMinutes(5)) == 0, publish.Output);
        using var http = new HttpClient { BaseAddress = run.BaseUri };
        await run.WaitUntilSealedPastNowAsync();
        var work = azurite.Account.Blobs.GetBlobContainerClient($"{run.StoragePrefix}-batch-work");

        var operation = await StartRecomputeAsync(http, "active-users");
        var (state, chunks, done) = ("running", 0, 0);
        while (state == "running" && done < 5)
        {
            await Task.Delay(100);
            using var status = JsonDocument.Parse(await http.GetStringAsync($"api/operations/{operation}"));
            state = status.RootElement.GetProperty("state").GetString()!;
            if (
                status.RootElement.TryGetProperty("customStatus", out var progress)
                && progress.ValueKind == JsonValueKind.Object
            )
            {
                (chunks, done) = (
                    progress.GetProperty("chunks").GetInt32(),
                    progress.GetProperty("chunksDone").GetInt32()
                );
            }
        }

        run.KillHost();
        var foldedBeforeTheKill = await ChunkOutputsAsync(work, operation);
        Assert.Equal("running", state);
        Assert.True(chunks >= 16, $"{chunks} fold chunks planned");
        await run.StartHostAsync();

        // The restarted host takes the operation over; starting it again returns that one, not a new run.
        Assert.Equal(operation, await StartRecomputeAsync(http, "active-users"));
        Assert.Equal("completed", await WaitForOperationAsync(http, operation, TimeSpan.FromMinutes(1)));
        var foldedInTheEnd = await ChunkOutputsAsync(work, operation);
        var redone = foldedBeforeTheKill.Count(c => foldedInTheEnd[c.Key] != c.Value);
        Assert.True(
            foldedBeforeTheKill.Count >= 4 && redone <= 2,
            $"{foldedBeforeTheKill.Count} chunks folded before the kill, {redone} of them folded again"
        );

        // An uninterrupted full run of the same version over the same events (a replay) writes the same rows.
        using var replay = await http.PostAsync("api/replay/active-users?version=1&code=test-key", null);
        var replayed = JsonDocument
            .Parse(await replay.Content.ReadAsStringAsync())
            .RootElement.GetProperty("operationId")
            .GetString()!;
        Assert.Equal("completed", await WaitForOperationAsync(http, replayed));
        var rows = await BatchRowsAsync(run, $"active-users@1.{operation.Split('.')[^1]}.");
        Assert.NotEmpty(rows);
        Assert.Equal(rows, await BatchRowsAsync(run, $"active-users@1.{replayed.Split('.')[^1]}."));

        foreach (var view in new[] { "new-users", "revenue", "page-views" })
        {
            Assert.Equal("completed", await WaitForOperationAsync(http, await StartRecomputeAsync(http, view)));
        }

        await using var verify = run.StartTool("verify", "--require-batch");
        Assert.True(await verify.WaitForExitAsync(TimeSpan.FromMinutes(5)) == 0, verify.Output);
    }

    /// <summary>Sends a POST and closes the connection without reading the answer, as a client that gives up
    /// does.</summary>
    private static async Task PostAndHangUpAsync(Uri baseUri, string pathAndQuery)
    {
        using var socket = new System.Net.Sockets.TcpClient();
        await socket.ConnectAsync(baseUri.Host, baseUri.Port);
        var request = System.Text.Encoding.ASCII.GetBytes(
            $"POST {pathAndQuery} HTTP/1.1\r\nHost: {baseUri.Authority}\r\nContent-Length: 0\r\n\r\n"
        );
        await socket.GetStream().WriteAsync(request);

        // A normal close (FIN after the request), not a reset: a reset can reach the server before it has
        // read the request, and the kernel then drops the request unread.
        socket.Client.Shutdown(System.Net.Sockets.SocketShutdown.Both);
        socket.Close();
    }

    private static async Task<long?> BatchCutoffAsync(HttpClient http, string view)
    {
        using var views = JsonDocument.Parse(await http.GetStringAsync("api/views"));
        return views
            .RootElement.EnumerateArray()
            .Single(v => v.GetProperty("name").GetString() == view)
            .TryGetProperty("batchCutoffEpoch", out var cutoff)
            ? cutoff.GetInt64()
            : null;
    }

    /// <summary>Each fold chunk's first output blob (its head partials) and its ETag: a chunk folded again rewrites
    /// it.</summary>
    private static async Task<Dictionary<string, Azure.ETag>> ChunkOutputsAsync(
        Azure.Storage.Blobs.BlobContainerClient work,
        string operation
    ) =>
        (
            await work.GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Prefix = $"{operation}/" })
                .ToListAsync()
        )
            .Where(b => b.Name.EndsWith(".head.partials", StringComparison.Ordinal))
            .ToDictionary(b => b.Name, b => b.Properties.ETag!.Value);

    /// <summary>The rows of one batch view (one cutoff), by day and key.</summary>
    private async Task<List<string>> BatchRowsAsync(DevHostRun run, string cutoffPrefix) =>
        [
            .. (
                await azurite
                    .Account.Tables.GetTableClient($"{run.StoragePrefix}batch")
                    .QueryAsync<Azure.Data.Tables.TableEntity>()
                    .ToListAsync()
            )
                .Where(r => r.PartitionKey.StartsWith(cutoffPrefix, StringComparison.Ordinal))
                .Select(r =>
                    $"{r.PartitionKey[cutoffPrefix.Length..]}/{r.RowKey} "
                    + $"{Convert.ToBase64String(r.GetBinary("State")!)} {r.GetInt64("Events")}"
                )
                .Order(StringComparer.Ordinal),
        ];

    private static async Task<string> StartRecomputeAsync(HttpClient http, string view)
    {
        using var started = await http.PostAsync($"api/recompute/{view}?code=test-key", null);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        using var body = JsonDocument.Parse(await started.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("operationId").GetString()!;
    }

    internal static async Task<string> WaitForOperationAsync(HttpClient http, string operation, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromMinutes(3));
        string state;
        do
        {
            await Task.Delay(250);
            using var status = JsonDocument.Parse(await http.GetStringAsync($"api/operations/{operation}"));
            state = status.RootElement.GetProperty("state").GetString()!;
            Assert.True(state != "failed", status.RootElement.ToString());
        } while (state == "running" && DateTime.UtcNow < deadline);
        return state;
    }
}
