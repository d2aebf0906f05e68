using System.Net;
using System.Text.Json;
using Pipeline.Testing;

namespace Pipeline.DevHost.Tests;

/// <summary>
/// The dev host with relays in front of its storage's Blob, Queue and Table endpoints that answer 503, cut
/// connections and refuse them for seconds, while traffic is published and while recomputes run: every
/// answer is exact afterwards, in the speed and in the batch layer.
/// </summary>
[Collection(UsesThirdAzurite.Name)]
public class StorageOutageEndToEndTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task StorageFailingMidPublishAndMidRecompute_EveryAnswerIsExactAfterwards()
    {
        var emulator = azurite.Emulator!;
        await using var blobs = StorageRelay.Start(emulator.BlobPort);
        await using var queues = StorageRelay.Start(emulator.QueuePort);
        await using var tables = StorageRelay.Start(emulator.TablePort);
        StorageRelay[] all = [blobs, queues, tables];
        await using var run = new DevHostRun(
            azurite,
            TimeSpan.FromSeconds(2),
            new Dictionary<string, string>
            {
                ["AzureWebJobsStorage"] = azurite.ConnectionThrough(blobs.Port, queues.Port, tables.Port),
                ["DevHost__AdminKey"] = "test-key",
                ["Durable__ActivityConcurrency"] = "1",
                ["Pipeline__FoldChunkEvents"] = "1000", // many short activities: an outage meets some of them
            }
        );
        await run.StartHostAsync();
        await using var publish = run.StartTool(
            "publish",
            "--events",
            "20000",
            "--days",
            "2",
            "--rate",
            "2000",
            "--retry-rate",
            "0.02",
            "--seed",
            "17"
        );

        // Mid-publish: the tables answer 503, then blob connections are cut, then nothing answers at all.
        await run.WaitUntilIngestedAsync(3000);
        await tables.FailForAsync(RelayMode.Unavailable, TimeSpan.FromSeconds(4));
        await run.WaitUntilIngestedAsync(8000, TimeSpan.FromMinutes(2));
        await blobs.FailForAsync(RelayMode.Cut, TimeSpan.FromSeconds(3));
        await run.WaitUntilIngestedAsync(12000, TimeSpan.FromMinutes(2));
        await Task.WhenAll(all.Select(r => r.FailForAsync(RelayMode.Refuse, TimeSpan.FromSeconds(3))));
        Assert.True(await publish.WaitForExitAsync(TimeSpan.FromMinutes(5)) == 0, publish.Output + run.HostOutput);
        var failedWhilePublishing = all.Sum(r => r.Failed);

        // Mid-recompute: every endpoint answers 503, then cuts its connections.
        await run.WaitUntilSealedPastNowAsync(TimeSpan.FromMinutes(2));
        using var http = new HttpClient { BaseAddress = run.BaseUri };
        var operations = new List<string>();
        foreach (var view in new[] { "new-users", "active-users", "revenue", "page-views" })
        {
            operations.Add(await AdminCalls.StartRecomputeAsync(http, view));
        }

        await AdminCalls.WaitUntilChunksFoldedAsync(http, operations[0], 2);
        await Task.WhenAll(all.Select(r => r.FailForAsync(RelayMode.Unavailable, TimeSpan.FromSeconds(4))));
        await Task.WhenAll(all.Select(r => r.FailForAsync(RelayMode.Cut, TimeSpan.FromSeconds(3))));
        foreach (var operation in operations)
        {
            var state = await BatchEndToEndTests.WaitForOperationAsync(http, operation, TimeSpan.FromMinutes(3));
            if (state != "completed")
            {
                Assert.Fail(
                    $"{operation}: {await http.GetStringAsync($"api/operations/{operation}")}\n{run.HostOutput}"
                );
            }
        }

        Assert.True(failedWhilePublishing > 0 && all.Sum(r => r.Failed) > failedWhilePublishing);
        await using var verify = run.StartTool("verify", "--require-batch");
        Assert.True(await verify.WaitForExitAsync(TimeSpan.FromMinutes(5)) == 0, verify.Output + run.HostOutput);
        Assert.Contains(" 0 differ", verify.Output, StringComparison.Ordinal);
    }
}

/// <summary>Admin calls over HTTP with the tests' admin key.</summary>
internal static class AdminCalls
{
    public const string Key = "test-key";

    public static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string path)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Add("x-functions-key", Key);
        return await http.SendAsync(request);
    }

    public static async Task<string> StartRecomputeAsync(HttpClient http, string view)
    {
        using var started = await SendAsync(http, HttpMethod.Post, $"api/recompute/{view}");
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        using var body = JsonDocument.Parse(await started.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("operationId").GetString()!;
    }

    /// <summary>Polls (bounded) until the operation has folded <paramref name="chunks"/> chunks or has ended.</summary>
    public static async Task WaitUntilChunksFoldedAsync(HttpClient http, string operation, int chunks)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (DateTime.UtcNow < deadline)
        {
            using var status = JsonDocument.Parse(await http.GetStringAsync($"api/operations/{operation}"));
            if (
                status.RootElement.GetProperty("state").GetString() != "running"
                || (
                    status.RootElement.TryGetProperty("customStatus", out var progress)
                    && progress.ValueKind == JsonValueKind.Object
                    && progress.GetProperty("chunksDone").GetInt32() >= chunks
                )
            )
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"{operation} folded fewer than {chunks} chunks in two minutes");
    }
}
