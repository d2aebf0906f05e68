using System.Net;
using System.Text.Json;
using Pipeline.Testing;

namespace Pipeline.DevHost.Tests;

/// <summary>
/// Two dev host processes on one storage account and task hub, as instances of the Functions app share them
/// in Azure: the first owns the emulated event hub, the second publishes to it and asks it about partitions
/// (<c>DevHost:EventHubs</c>). Either can die with kill -9 in the middle of a recompute and the other
/// finishes it; a routing change made through one is served by the other; both answer alike.
/// </summary>
[Collection(UsesSixthAzurite.Name)]
public class ScaleOutTests(AzuriteFixture azurite)
{
    private static readonly Dictionary<string, string> Settings = new()
    {
        ["DevHost__AdminKey"] = AdminCalls.Key,
        ["Durable__ActivityConcurrency"] = "1",
        ["Pipeline__FoldChunkEvents"] = "500", // many short activities, so a kill lands between them
        ["Durable__VisibilityTimeout"] = "00:00:10", // a killed host's activity runs again sooner
        ["Durable__LeaseInterval"] = "00:00:05", // and its hold on the orchestrations passes sooner
    };

    [Fact]
    public async Task EitherHostKilledMidRecompute_TheOtherFinishes_RoutingReachesBoth_AndBothAnswerAlike()
    {
        await using var first = new DevHostRun(azurite, TimeSpan.FromSeconds(2), Settings);
        await first.StartHostAsync();
        await using var second = new DevHostRun(
            azurite,
            TimeSpan.FromSeconds(2),
            new Dictionary<string, string>(Settings)
            {
                ["Pipeline__StoragePrefix"] = first.StoragePrefix,
                ["DevHost__EventHubs"] = first.BaseUri.ToString(),
            }
        );
        await second.StartHostAsync();
        using var one = new HttpClient { BaseAddress = first.BaseUri };
        using var two = new HttpClient { BaseAddress = second.BaseUri };

        // new-users v2 is registered through the second host while the first one ingests: the first learns it from
        // the registry in storage before it applies events of a later epoch.
        await second.ApplyExampleAsync("new-users.2.json", AdminCalls.Key);

        // Traffic published through the second host lands in the first one's hub, and both see it sealed.
        await using var publish = second.StartTool(
            "publish",
            "--events",
            "8000",
            "--rate",
            "2000",
            "--days",
            "3",
            "--seed",
            "23"
        );
        Assert.True(await publish.WaitForExitAsync(TimeSpan.FromMinutes(5)) == 0, publish.Output);
        await first.WaitUntilSealedPastNowAsync();
        await second.WaitUntilSealedPastNowAsync();

        // kill -9 of the second host mid-recompute: the first finishes it.
        var activeUsers = await AdminCalls.StartRecomputeAsync(two, "active-users");
        await AdminCalls.WaitUntilChunksFoldedAsync(two, activeUsers, 3);
        second.KillHost();
        Assert.Equal("completed", await BatchEndToEndTests.WaitForOperationAsync(one, activeUsers));
        await second.StartHostAsync();

        // kill -9 of the first host (the hub's owner too) mid-recompute: the second takes its orchestrations over.
        var revenue = await AdminCalls.StartRecomputeAsync(one, "revenue");
        await AdminCalls.WaitUntilChunksFoldedAsync(one, revenue, 3);
        first.KillHost();
        Assert.Equal("completed", await BatchEndToEndTests.WaitForOperationAsync(two, revenue));
        await first.StartHostAsync();
        foreach (var view in new[] { "new-users", "page-views" })
        {
            var operation = await AdminCalls.StartRecomputeAsync(two, view);
            Assert.Equal("completed", await BatchEndToEndTests.WaitForOperationAsync(one, operation));
        }

        var replay = await AdminCalls.SendAsync(one, HttpMethod.Post, "api/replay/new-users?version=2");
        using (var started = JsonDocument.Parse(await replay.Content.ReadAsStringAsync()))
        {
            var operation = started.RootElement.GetProperty("operationId").GetString()!;
            Assert.Equal("completed", await BatchEndToEndTests.WaitForOperationAsync(two, operation));
        }

        // A routing change made through one host is what the other serves within its cache's second.
        var day = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(1, await ServedVersionAsync(two, day));
        using (
            var routed = await AdminCalls.SendAsync(one, HttpMethod.Put, "api/views/new-users/routing?weights=2:100")
        )
        {
            Assert.Equal(HttpStatusCode.OK, routed.StatusCode);
        }

        var changedAt = DateTime.UtcNow;
        while (await ServedVersionAsync(two, day) != 2)
        {
            Assert.True(DateTime.UtcNow - changedAt < TimeSpan.FromSeconds(10), "the second host kept serving v1");
            await Task.Delay(50);
        }

        // Both answer every key of the ground truth exactly, and alike.
        var truth = Path.Combine(second.WorkDirectory, "truth.json");
        foreach (var host in new[] { first, second })
        {
            await using var verify = host.StartTool("verify", "--require-batch", "--truth", truth);
            Assert.True(await verify.WaitForExitAsync(TimeSpan.FromMinutes(5)) == 0, verify.Output);
            Assert.Contains(" 0 differ", verify.Output, StringComparison.Ordinal);
            Assert.Contains(" keys of 5 views ", verify.Output, StringComparison.Ordinal);
        }

        // And alike to the byte, provenance aside, over whole ranges (page-views, keyed by hour and page, is
        // compared key by key by the two verifications above).
        foreach (var view in new[] { "new-users", "active-users", "revenue" })
        {
            var range = $"api/views/{view}?from={DateTime.UtcNow.AddDays(-3):yyyy-MM-dd}&to={day}";
            Assert.Equal(await ValuesAsync(one, range), await ValuesAsync(two, range));
        }
    }

    private static async Task<int> ServedVersionAsync(HttpClient http, string day)
    {
        using var answer = JsonDocument.Parse(await http.GetStringAsync($"api/views/new-users?key={day}"));
        return answer.RootElement.GetProperty("provenance").GetProperty("viewVersion").GetInt32();
    }

    /// <summary>An answer without its provenance (which says when it was read): the values it gives.</summary>
    private static async Task<string> ValuesAsync(HttpClient http, string query)
    {
        using var answer = JsonDocument.Parse(await http.GetStringAsync(query));
        return string.Join(
            '\n',
            answer
                .RootElement.EnumerateObject()
                .Where(p => p.Name != "provenance")
                .Select(p => $"{p.Name}={p.Value.GetRawText()}")
        );
    }
}
