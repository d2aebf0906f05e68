using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Pipeline.Testing;

namespace Pipeline.DevHost.Tests;

/// <summary>What a new user hit when trying the dev host: each a regression test.</summary>
[Collection(UsesSecondAzurite.Name)]
public class NewUserFindingsTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task TheEmbeddedDefault_KeepsEveryAcknowledgedEvent_ThroughAKill9OfTheHost()
    {
        // No storage configured: the dev host's own Azurite, keeping its data in the run's folder.
        await using var run = new DevHostRun(azurite: null, TimeSpan.FromSeconds(5));
        await run.StartHostAsync();
        using var http = new HttpClient { BaseAddress = run.BaseUri };
        using (var health = JsonDocument.Parse(await http.GetStringAsync("health")))
        {
            var storage = health.RootElement.GetProperty("storage");
            Assert.Equal("embedded Azurite", storage.GetProperty("kind").GetString());
            Assert.True(storage.GetProperty("persistent").GetBoolean());
            Assert.StartsWith(run.DataDirectory, storage.GetProperty("location").GetString(), StringComparison.Ordinal);
        }

        await using var publish = run.StartTool(
            "publish",
            "--events",
            "16000",
            "--rate",
            "4000",
            "--batch",
            "200",
            "--seed",
            "21"
        );
        await run.WaitUntilIngestedAsync(4000);
        Assert.False(publish.HasExited, "the publisher finished before the crash: " + publish.Output);
        run.KillHost();
        await run.StartHostAsync();

        Assert.True(await publish.WaitForExitAsync(TimeSpan.FromMinutes(5)) == 0, publish.Output);
        await using var verify = run.StartTool("verify");
        Assert.True(
            await verify.WaitForExitAsync(TimeSpan.FromMinutes(5)) == 0,
            publish.Output + verify.Output + run.HostOutput
        );
    }

    [Fact]
    public async Task ErrorsAreJson_WithTheDocumentedLimits_AndTrueMessages()
    {
        await using var run = new DevHostRun(
            azurite,
            TimeSpan.FromSeconds(5),
            new Dictionary<string, string> { ["DevHost__AdminKey"] = "test-key" }
        );
        await run.StartHostAsync();
        using var http = new HttpClient { BaseAddress = run.BaseUri };

        // Over Kestrel's own 30,000,000-byte default, under the documented 64 MiB: read, and refused as not JSON.
        using var large = await http.PostAsync("api/events", new ByteArrayContent(new byte[31_000_000]));
        Assert.Equal(HttpStatusCode.BadRequest, large.StatusCode);

        // Over the documented 64 MiB, announced or chunked. The host answers before reading the rest and
        // closes, so these are sent over a socket that stops writing where the host stops reading.
        const int overLimit = (64 * 1024 * 1024) + 1;
        var (status, error) = await PostRawAsync(run.BaseUri, $"Content-Length: {overLimit}", body: []);
        Assert.True(status == 413, $"{status}: {error}");
        Assert.Contains("67108864", error, StringComparison.Ordinal);
        Assert.Contains("DevHost:MaxRequestBytes", error, StringComparison.Ordinal);
        (status, error) = await PostRawAsync(
            run.BaseUri,
            "Transfer-Encoding: chunked",
            [.. Encoding.ASCII.GetBytes($"{overLimit:x}\r\n"), .. new byte[overLimit]]
        );
        Assert.True(status == 413, $"{status}: {error}");
        Assert.Contains("DevHost:MaxRequestBytes", error, StringComparison.Ordinal);

        await AssertJsonErrorAsync(
            await http.GetAsync("api/nothing-here"),
            HttpStatusCode.NotFound,
            "there is no route"
        );
        await AssertJsonErrorAsync(
            await http.GetAsync("api/views/new-users?key=" + new string('x', 10_000)),
            HttpStatusCode.RequestUriTooLong,
            "limit is 8192"
        );

        await AssertJsonErrorAsync(
            await http.GetAsync("api/views/new-users?key=2026-11-21&version=-1"),
            HttpStatusCode.BadRequest,
            "versions are numbered from 1"
        );
        await AssertJsonErrorAsync(
            await http.GetAsync("api/views/new-users?key=2026-11-21junk"),
            HttpStatusCode.BadRequest,
            "has 'junk' after its day"
        );
        await AssertJsonErrorAsync(
            await SendAsync(http, HttpMethod.Put, "api/views/new-users/routing?weights=1:100&audited=maybe"),
            HttpStatusCode.BadRequest,
            "audited must be true or false"
        );
        await AssertJsonErrorAsync(
            await SendAsync(http, HttpMethod.Post, "api/audit/new-users?from=2026-11-21&to=2026-11-01"),
            HttpStatusCode.BadRequest,
            "forward in time"
        );
        await AssertJsonErrorAsync(
            await http.GetAsync("api/audits/new-users?max=-1"),
            HttpStatusCode.BadRequest,
            "max must be"
        );

        // A version's spec, as declared in views/, with its hash and registration epoch; unknown ones are 404s.
        using (var spec = await http.GetAsync("api/views/new-users/versions/1"))
        {
            Assert.Equal(HttpStatusCode.OK, spec.StatusCode);
            using var json = JsonDocument.Parse(await spec.Content.ReadAsStringAsync());
            var declared = File.ReadAllBytes(Path.Combine(DotnetProcess.RepositoryRoot, "views", "new-users.1.json"));
            Assert.Equal(
                Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(declared)),
                json.RootElement.GetProperty("hash").GetString()
            );
            Assert.Equal(
                "user.signup",
                json.RootElement.GetProperty("spec").GetProperty("where").GetProperty("value").GetString()
            );
            Assert.True(json.RootElement.GetProperty("registeredEpoch").GetInt64() > 0);
        }

        // The tool shows the same: the served version's spec and hash, every version in a list, a 404's message.
        await using (var show = run.StartTool("views", "show", "new-users"))
        {
            Assert.Equal(0, await show.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains("// new-users@1  sha256 ", show.Output, StringComparison.Ordinal);
            Assert.Contains("\"user.signup\"", show.Output, StringComparison.Ordinal);
        }

        await using (var list = run.StartTool("views", "list"))
        {
            Assert.Equal(0, await list.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains("page-views@1  ", list.Output, StringComparison.Ordinal);
            Assert.Contains("yyyy-MM-ddTHH|{data.page}", list.Output, StringComparison.Ordinal);
        }

        await using (var missing = run.StartTool("views", "show", "new-users", "--version", "9"))
        {
            Assert.Equal(1, await missing.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains("404: view 'new-users' has no version 9", missing.Output, StringComparison.Ordinal);
        }

        await AssertJsonErrorAsync(
            await http.GetAsync("api/views/new-users/versions/9"),
            HttpStatusCode.NotFound,
            "view 'new-users' has no version 9"
        );
        await AssertJsonErrorAsync(
            await http.GetAsync("api/views/nothing/versions/1"),
            HttpStatusCode.NotFound,
            "there is no view 'nothing'"
        );
        await AssertJsonErrorAsync(
            await http.GetAsync("api/views/new-users/versions/two"),
            HttpStatusCode.BadRequest,
            "version"
        );

        // Registering a version over HTTP: admin only; 201, then 200 for the same content; 409 for other content
        // or an older version; 400 with every problem at its path; and its spec is then served as registered.
        var example = File.ReadAllBytes(Path.Combine(DotnetProcess.RepositoryRoot, "examples", "new-users.2.json"));
        await AssertJsonErrorAsync(
            await http.PutAsync("api/views/new-users/versions/2", new ByteArrayContent(example)),
            HttpStatusCode.Unauthorized,
            "needs the admin key"
        );
        using (var created = await PutSpecAsync(http, "new-users", "2", example))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            using var json = JsonDocument.Parse(await created.Content.ReadAsStringAsync());
            Assert.Equal(
                Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(example)),
                json.RootElement.GetProperty("hash").GetString()
            );
        }

        using (var unchanged = await PutSpecAsync(http, "new-users", "2", example))
        {
            Assert.Equal(HttpStatusCode.OK, unchanged.StatusCode);
        }

        var other = Encoding.UTF8.GetBytes(
            Encoding.UTF8.GetString(example).Replace("\"test\"", "\"trial\"", StringComparison.Ordinal)
        );
        await AssertJsonErrorAsync(
            await PutSpecAsync(http, "new-users", "2", other),
            HttpStatusCode.Conflict,
            "versions are immutable: new-users@2 is registered with other content; register version 3"
        );
        await AssertJsonErrorAsync(
            await PutSpecAsync(
                http,
                "new-users",
                "1",
                Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(other).Replace("\"version\": 2", "\"version\": 1"))
            ),
            HttpStatusCode.Conflict,
            "versions are immutable"
        );
        using (
            var invalid = await PutSpecAsync(
                http,
                "orders",
                "1",
                """{"name":"orders","version":1,"window":"fortnight"}"""u8.ToArray()
            )
        )
        {
            using var json = JsonDocument.Parse(await invalid.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
            var problems = json
                .RootElement.GetProperty("problems")
                .EnumerateArray()
                .Select(p => p.GetString())
                .ToList();
            Assert.Contains(problems, p => p!.StartsWith("$.window: ", StringComparison.Ordinal));
            Assert.Contains(
                problems,
                p =>
                    p!.StartsWith("$.aggregates", StringComparison.Ordinal)
                    || p.StartsWith("$: ", StringComparison.Ordinal)
            );
        }

        using (var served = await http.GetAsync("api/views/new-users/versions/2"))
        {
            using var json = JsonDocument.Parse(await served.Content.ReadAsStringAsync());
            Assert.Equal(
                "Sign-ups per UTC day, without test accounts.",
                json.RootElement.GetProperty("spec").GetProperty("description").GetString()
            );
        }

        // A known route with a method it does not take: 405, naming the methods it takes.
        using (var wrongMethod = await http.GetAsync("api/events"))
        {
            Assert.Equal("POST", string.Join(",", wrongMethod.Content.Headers.Allow));
            await AssertJsonErrorAsync(
                wrongMethod,
                HttpStatusCode.MethodNotAllowed,
                "/api/events does not take GET; it takes POST"
            );
        }

        await AssertJsonErrorAsync(
            await SendAsync(http, HttpMethod.Delete, "api/views/new-users/routing"),
            HttpStatusCode.MethodNotAllowed,
            "it takes PUT"
        );

        // What a caller sent is quoted shortened, not echoed whole.
        using (var longKey = await http.GetAsync("api/views/new-users?key=" + new string('k', 5_000)))
        {
            var text = await longKey.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.BadRequest, longKey.StatusCode);
            Assert.Contains("(5,000 characters)", text, StringComparison.Ordinal);
            Assert.True(text.Length < 1_000, text);
        }

        // Several wrong values are all named at once.
        using (var several = await http.GetAsync("api/operations?kind=nap&state=sleeping&pageSize=0"))
        {
            using var json = JsonDocument.Parse(await several.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.BadRequest, several.StatusCode);
            Assert.Equal(3, json.RootElement.GetProperty("problems").GetArrayLength());
        }

        // Other people's rejected data needs the key; a missing key and a wrong one are told apart.
        await AssertJsonErrorAsync(
            await http.GetAsync("api/quarantine"),
            HttpStatusCode.Unauthorized,
            "needs the admin key"
        );
        using var wrongKey = new HttpRequestMessage(HttpMethod.Get, "api/quarantine");
        wrongKey.Headers.Add("x-functions-key", "not-the-key");
        await AssertJsonErrorAsync(
            await http.SendAsync(wrongKey),
            HttpStatusCode.Unauthorized,
            "is not this host's admin key"
        );

        // A browser on another site cannot use the key.
        using var crossSite = new HttpRequestMessage(HttpMethod.Post, "api/recompute/new-users?code=test-key");
        crossSite.Headers.Add("Origin", "https://evil.example");
        crossSite.Headers.Add("Sec-Fetch-Site", "cross-site");
        await AssertJsonErrorAsync(await http.SendAsync(crossSite), HttpStatusCode.Forbidden, "another site");
    }

    [Fact]
    public async Task CtrlC_StopsTheHostPromptly_WithItsEmbeddedStorageAnsweringToTheEnd_AndLosesNothing()
    {
        await using var run = new DevHostRun(azurite: null, TimeSpan.FromSeconds(5));
        await run.StartHostAsync();
        using var http = new HttpClient { BaseAddress = run.BaseUri };
        using var published = await http.PostAsync(
            "api/events",
            new StringContent(
                """{"specversion":"1.0","id":"c1","source":"/t","type":"user.signup","subject":"u","time":"2026-11-20T10:00:00Z"}"""
            )
        );
        Assert.Equal(HttpStatusCode.Accepted, published.StatusCode);

        // The terminal signals the host and its embedded Azurite alike; the storage outlives the host's shutdown.
        Assert.Equal(0, await run.InterruptHostAsync(TimeSpan.FromSeconds(20)));
        Assert.DoesNotContain("timeout", run.HostOutput, StringComparison.OrdinalIgnoreCase);

        await run.StartHostAsync();
        using var answer = JsonDocument.Parse(await http.GetStringAsync("api/views/new-users?key=2026-11-20"));
        Assert.Equal(1, answer.RootElement.GetProperty("value").GetInt32());
    }

    [Fact]
    public async Task ASecondHostOnTheSameData_EndsAtOnce_WithOneLine()
    {
        await using var run = new DevHostRun(azurite: null, TimeSpan.FromSeconds(5));
        await run.StartHostAsync();

        await using var second = run.StartSecondHost();
        Assert.Equal(1, await second.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        var lines = second.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(
            lines,
            l => l.StartsWith("The dev host cannot start: another dev host (process ", StringComparison.Ordinal)
        );
        Assert.DoesNotContain("   at ", second.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutAnAdminKey_ARandomOneIsMadeOnce_KeptWithTheLocalData_AndTheOldFixedOneIsRefused()
    {
        // The key is said at start-up, in the log a user sees by default.
        await using var run = new DevHostRun(
            azurite,
            TimeSpan.FromSeconds(5),
            new Dictionary<string, string> { ["Logging__LogLevel__Default"] = "Information" }
        );
        await run.StartHostAsync();
        using var http = new HttpClient { BaseAddress = run.BaseUri };
        var key = (await File.ReadAllTextAsync(Path.Combine(run.DataDirectory, "local-admin-key"))).Trim();

        Assert.True(key.Length >= 40, key);
        if (!OperatingSystem.IsWindows())
        {
            // Only its owner may read it.
            var mode = File.GetUnixFileMode(Path.Combine(run.DataDirectory, "local-admin-key"));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode);
        }
        Assert.Contains(key, run.HostOutput, StringComparison.Ordinal);
        Assert.Equal(
            HttpStatusCode.Unauthorized,
            (await http.GetAsync("api/quarantine?code=local-admin-key")).StatusCode
        );
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"api/quarantine?code={key}")).StatusCode);

        Assert.Equal(0, await run.StopHostAsync());
        await run.StartHostAsync();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"api/quarantine?code={key}")).StatusCode);
    }

    [Theory]
    [InlineData("Pipeline__EpochLength", "an hour", "Pipeline:EpochLength")]
    [InlineData("Pipeline__EpochLength", "00:00:00", "Pipeline:EpochLength must be between")]
    [InlineData("Pipeline__BatchWriteKeys", "0", "Pipeline:BatchWriteKeys must be between 1 and 1,000,000")]
    [InlineData("AzureWebJobsStorage", "AccountName=x;AccountKey=", "connection string is not valid")]
    [InlineData("RecomputeSchedule", "hourly", "RecomputeSchedule 'hourly' is not an NCRONTAB schedule")]
    [InlineData("DevHost__Partitioning", "random", "DevHost:Partitioning")]
    public async Task InvalidSettings_EndTheStart_WithOneLineNamingTheProblem(
        string setting,
        string value,
        string expected
    )
    {
        var failure = await StartExpectingFailureAsync(new Dictionary<string, string> { [setting] = value });

        Assert.Equal(1, failure.ExitCode);
        Assert.Contains(expected, failure.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", failure.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnotherEpochLength_OnDataWrittenWithOne_EndsTheStart_NamingBoth()
    {
        // The embedded default keeps data across restarts: a changed epoch length would misread all of it.
        await using var run = new DevHostRun(azurite, TimeSpan.FromSeconds(5));
        await run.StartHostAsync();
        Assert.Equal(0, await run.StopHostAsync());
        run.Configure("Pipeline__EpochLength", "00:00:10");

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(run.StartHostAsync);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains(
            "Pipeline:EpochLength is 00:00:10, but the data in this storage was written with epochs of 00:00:05",
            failure.Message,
            StringComparison.Ordinal
        );
        Assert.DoesNotContain("   at ", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APortInUse_EndsTheStart_WithOneLineNamingTheAddress()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var address = $"http://127.0.0.1:{((IPEndPoint)taken.LocalEndpoint).Port}";

        var failure = await StartExpectingFailureAsync(
            new Dictionary<string, string> { ["ASPNETCORE_URLS"] = address }
        );

        Assert.Equal(1, failure.ExitCode);
        Assert.Contains("address already in use", failure.Output, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("ASPNETCORE_URLS", failure.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", failure.Output, StringComparison.Ordinal);
    }

    private async Task<(int ExitCode, string Output)> StartExpectingFailureAsync(Dictionary<string, string> settings)
    {
        var environment = new Dictionary<string, string>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["DevHost__AdminKey"] = "k",
            ["DevHost__DataDirectory"] = Directory.CreateTempSubdirectory("pipeline-start-").FullName,
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
        };
        foreach (var (name, value) in settings)
        {
            environment[name] = value;
        }

        await using var host = DotnetProcess.Start("Pipeline.DevHost", "Pipeline.DevHost", [], environment);
        var exitCode = await host.WaitForExitAsync(TimeSpan.FromSeconds(90));
        return (exitCode, host.Output);
    }

    /// <summary>
    /// A POST to /api/events with the given framing header and body bytes, over a raw socket that keeps
    /// reading the answer even if the host stops reading first; returns the status and the JSON error.
    /// </summary>
    private static async Task<(int Status, string Error)> PostRawAsync(Uri baseUri, string framing, byte[] body)
    {
        using var socket = new TcpClient();
        await socket.ConnectAsync(baseUri.Host, baseUri.Port);
        var stream = socket.GetStream();
        await stream.WriteAsync(
            Encoding.ASCII.GetBytes(
                $"POST /api/events HTTP/1.1\r\nHost: {baseUri.Authority}\r\nContent-Type: "
                    + $"application/json\r\n{framing}\r\n\r\n"
            )
        );
        var sending = Task.Run(async () =>
        {
            try
            {
                await stream.WriteAsync(body);
            }
            catch (IOException)
            {
                // The host answered and closed before the whole body was sent.
            }
        });

        using var reader = new StreamReader(stream, Encoding.UTF8);
        var statusLine = await reader.ReadLineAsync() ?? string.Empty;
        int? length = null;
        for (var line = await reader.ReadLineAsync(); !string.IsNullOrEmpty(line); line = await reader.ReadLineAsync())
        {
            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            {
                length = int.Parse(line["Content-Length:".Length..].Trim(), CultureInfo.InvariantCulture);
            }
        }

        // The JSON is ASCII: characters and bytes count alike. Without a length, it comes in chunks.
        var text = new StringBuilder();
        for (
            var size = length ?? ChunkSize(await reader.ReadLineAsync());
            size > 0;
            size = length is null ? ChunkSize(await reader.ReadLineAsync()) : 0
        )
        {
            var chunk = new char[size];
            await reader.ReadBlockAsync(chunk);
            text.Append(chunk);
            if (length is null)
            {
                await reader.ReadLineAsync();
            }
        }

        await sending;
        using var json = JsonDocument.Parse(text.ToString());
        return (
            int.Parse(statusLine.Split(' ')[1], CultureInfo.InvariantCulture),
            json.RootElement.GetProperty("error").GetString()!
        );
    }

    private static int ChunkSize(string? line) =>
        int.Parse(line ?? "0", NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    private static async Task<HttpResponseMessage> PutSpecAsync(
        HttpClient http,
        string name,
        string version,
        byte[] spec
    )
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"api/views/{name}/versions/{version}")
        {
            Content = new ByteArrayContent(spec),
        };
        request.Headers.Add("x-functions-key", "test-key");
        return await http.SendAsync(request);
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string path)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Add("x-functions-key", "test-key");
        return await http.SendAsync(request);
    }

    private static async Task AssertJsonErrorAsync(HttpResponseMessage response, HttpStatusCode status, string contains)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == status, $"{(int)response.StatusCode}: {text}");
            using var body = JsonDocument.Parse(text);
            Assert.Contains(contains, body.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        }
    }
}
