using System.Net;
using System.Text.Json;
using Azure.Data.Tables;
using Pipeline.Storage.Tables;
using Pipeline.Testing;

namespace Pipeline.DevHost.Tests;

/// <summary>
/// The README's walkthrough over real HTTP: register new-users v2, replay it (with a kill -9 of the host
/// in the middle), move 10 % then 100 % of callers to it, roll back, audit clean, then catch an injected
/// corruption.
/// </summary>
[Collection(UsesFourthAzurite.Name)]
public class VersionWalkthroughTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task RegisterReplayShiftRollBackAndAudit_OverHttp()
    {
        await using var run = new DevHostRun(
            azurite,
            TimeSpan.FromSeconds(2),
            new Dictionary<string, string>
            {
                ["DevHost__AdminKey"] = "test-key",
                ["Pipeline__AuditInterval"] = "00:00:00",
                ["Durable__ActivityConcurrency"] = "1",
                ["Durable__VisibilityTimeout"] = "00:00:10", // the killed host's activity runs again sooner (each takes well under a second)
                ["Durable__LeaseInterval"] = "00:00:05",
            }
        );
        await run.StartHostAsync();
        await using var publish = run.StartTool("publish", "--events", "12000", "--days", "3", "--seed", "11");
        Assert.True(await publish.WaitForExitAsync(TimeSpan.FromMinutes(5)) == 0, publish.Output);

        // v2 is registered while the host runs, after all that traffic: the speed layer maintains it from now on.
        await run.ApplyExampleAsync("new-users.2.json", "test-key");
        await using (
            var again = run.StartTool(
                "views",
                "apply",
                Path.Combine(DotnetProcess.RepositoryRoot, "examples"),
                "--key",
                "test-key"
            )
        )
        {
            Assert.True(await again.WaitForExitAsync(TimeSpan.FromMinutes(1)) == 0, again.Output);
            Assert.Contains("new-users.2.json: unchanged new-users@2", again.Output, StringComparison.Ordinal);
        }
        using var http = new HttpClient { BaseAddress = run.BaseUri };
        await run.WaitUntilSealedPastNowAsync();

        Assert.StartsWith("speed layer only", await VersionStateAsync(http, 2), StringComparison.Ordinal);
        using (var early = await SendAsync(http, HttpMethod.Put, "api/views/new-users/routing?weights=1:90,2:10"))
        {
            Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        }

        // Replay v2; kill the host once it is folding (or, on a fast machine, done); the restarted host finishes it.
        var replay = await OperationOfAsync(await SendAsync(http, HttpMethod.Post, "api/replay/new-users?version=2"));
        var folding = false;
        while (!folding)
        {
            await Task.Delay(100);
            using var status = JsonDocument.Parse(await http.GetStringAsync($"api/operations/{replay}"));
            folding =
                status.RootElement.GetProperty("state").GetString() != "running"
                || (
                    status.RootElement.TryGetProperty("customStatus", out var progress)
                    && progress.ValueKind == JsonValueKind.Object
                );
        }

        run.KillHost();
        await run.StartHostAsync();
        Assert.Equal("completed", await BatchEndToEndTests.WaitForOperationAsync(http, replay));
        Assert.Equal("caught up", await VersionStateAsync(http, 2));

        // Versions answer by their own logic: the tool's ground truth has both.
        await using (var verify = run.StartTool("verify"))
        {
            Assert.True(await verify.WaitForExitAsync(TimeSpan.FromMinutes(5)) == 0, verify.Output);
            Assert.DoesNotContain("skipping", verify.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("cannot check", verify.Output, StringComparison.Ordinal);
            // new-users@2's and orders-by-region's truth from their specs (orders-by-region's answers lack the keys of
            // events before its registration until it is replayed: not caught up, not a difference).
            Assert.Contains(" keys of 6 views ", verify.Output, StringComparison.Ordinal);
        }

        // What v2 changes, as the tool shows it: the description and the test accounts left out.
        await using (var diff = run.StartTool("views", "diff", "new-users", "1", "2"))
        {
            Assert.True(await diff.WaitForExitAsync(TimeSpan.FromMinutes(1)) == 0, diff.Output);
            Assert.Contains("-  \"version\": 1,", diff.Output, StringComparison.Ordinal);
            Assert.Contains("+  \"version\": 2,", diff.Output, StringComparison.Ordinal);
            Assert.Contains("+          \"value\": \"test\"", diff.Output, StringComparison.Ordinal);
            Assert.Contains("   \"window\": \"day\",", diff.Output, StringComparison.Ordinal);
        }

        // 10 % of callers, sticky; then everyone; then back.
        var day = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        (
            await SendAsync(http, HttpMethod.Put, "api/views/new-users/routing?weights=1:90,2:10")
        ).EnsureSuccessStatusCode();
        var served = await ServedVersionsAsync(http, day, 300);
        Assert.InRange(served.Count(v => v == 2), 12, 60);
        Assert.Equal(served, await ServedVersionsAsync(http, day, 300));
        (await SendAsync(http, HttpMethod.Put, "api/views/new-users/routing?weights=2:100")).EnsureSuccessStatusCode();
        Assert.All(await ServedVersionsAsync(http, day, 50), v => Assert.Equal(2, v));
        (await SendAsync(http, HttpMethod.Put, "api/views/new-users/routing?weights=1:100")).EnsureSuccessStatusCode();
        Assert.All(await ServedVersionsAsync(http, day, 50), v => Assert.Equal(1, v));

        // An audit of v2 comes back clean; one after a batch row is damaged does not.
        Assert.True((await AuditAsync(http)).GetProperty("clean").GetBoolean());
        var batch = azurite.Account.Tables.GetTableClient($"{run.StoragePrefix}batch");
        var rows = (await batch.QueryAsync<TableEntity>().ToListAsync())
            .Where(r => r.PartitionKey.StartsWith("new-users@2.", StringComparison.Ordinal))
            .ToList();
        var (damaged, other) = (rows[0], rows.First(r => r.GetInt64("Events") != rows[0].GetInt64("Events")));
        damaged["State"] = other.GetBinary("State");
        await batch.UpsertEntityAsync(damaged, TableUpdateMode.Replace);
        var report = await AuditAsync(http);
        Assert.False(report.GetProperty("clean").GetBoolean());
        Assert.Contains(
            report.GetProperty("mismatches").EnumerateArray(),
            m =>
                m.GetProperty("key").GetString() == damaged.GetString("Key")
                && m.GetProperty("kind").GetString() == "batch"
        );
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string path)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Add("x-functions-key", "test-key");
        return await http.SendAsync(request);
    }

    private static async Task<string> OperationOfAsync(HttpResponseMessage response)
    {
        using (response)
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return body.RootElement.GetProperty("operationId").GetString()!;
        }
    }

    private static async Task<string> VersionStateAsync(HttpClient http, int version)
    {
        using var views = JsonDocument.Parse(await http.GetStringAsync("api/views"));
        return views
            .RootElement.EnumerateArray()
            .Single(v => v.GetProperty("name").GetString() == "new-users")
            .GetProperty("versions")
            .EnumerateArray()
            .Single(v => v.GetProperty("version").GetInt32() == version)
            .GetProperty("state")
            .GetString()!;
    }

    private static async Task<List<int>> ServedVersionsAsync(HttpClient http, string day, int callers)
    {
        var versions = new List<int>();
        for (var caller = 0; caller < callers; caller++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"api/views/new-users?key={day}");
            request.Headers.Add("x-pipeline-client", $"caller-{caller}");
            using var response = await http.SendAsync(request);
            response.EnsureSuccessStatusCode();
            using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            versions.Add(answer.RootElement.GetProperty("provenance").GetProperty("viewVersion").GetInt32());
        }

        return versions;
    }

    private static async Task<JsonElement> AuditAsync(HttpClient http)
    {
        var audit = await OperationOfAsync(await SendAsync(http, HttpMethod.Post, "api/audit/new-users?version=2"));
        Assert.Equal("completed", await BatchEndToEndTests.WaitForOperationAsync(http, audit));
        using var reports = JsonDocument.Parse(await http.GetStringAsync("api/audits/new-users?version=2&max=1"));
        var report = reports.RootElement[0].Clone();
        Assert.Equal(audit, report.GetProperty("audit").GetString());
        return report;
    }
}
