using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using Pipeline.Testing;

namespace Pipeline.DevHost.Tests;

/// <summary>
/// The console in a real browser (Debian's Chromium through its ChromeDriver, headless) against a dev host
/// with published traffic. Each step saves a screenshot in <c>tests/artifacts/screenshots</c>.
/// </summary>
[Collection(UsesFifthAzurite.Name)]
public sealed class ConsoleBrowserTests(AzuriteFixture azurite)
{
    private const string Chromium = "/usr/bin/chromium";
    private const string ChromeDriver = "/usr/bin/chromedriver";
    private static readonly string Screenshots = Path.Combine(
        DotnetProcess.RepositoryRoot,
        "tests",
        "artifacts",
        "screenshots"
    );

    [Fact]
    public async Task TheConsole_ShowsViewsAndTheLayers_RefusesAWrongKey_AndARecomputeTurnsTheDaysBatchCovered()
    {
        Assert.True(
            File.Exists(Chromium) && File.Exists(ChromeDriver),
            $"{Chromium} and {ChromeDriver} are needed: tests/run.sh installs Debian's chromium and chromium-driver"
        );
        await using var run = new DevHostRun(
            azurite,
            TimeSpan.FromSeconds(2),
            new Dictionary<string, string> { ["DevHost__AdminKey"] = "test-key" }
        );
        await run.StartHostAsync();

        // A view of several aggregates, registered before any event: its chart offers each aggregate.
        await run.ApplyExampleAsync("orders-by-region.1.json", "test-key");
        await using (var publish = run.StartTool("publish", "--events", "4000", "--days", "3", "--seed", "13"))
        {
            Assert.True(await publish.WaitForExitAsync(TimeSpan.FromMinutes(3)) == 0, publish.Output);
        }

        using var browser = StartBrowser();
        browser.Navigate().GoToUrl(run.BaseUri);

        // A version registered from the page: an invalid spec's problems at their paths, then the example.
        UseKey(browser, "test-key");
        Register(browser, """{"name":"orders","version":1,"window":"fortnight"}""");
        var problems = Until(
            browser,
            () =>
                browser.FindElements(By.CssSelector("#register-problems li")) is { Count: > 0 } items
                    ? items.Select(i => i.Text).ToList()
                    : null,
            "the refused spec's problems"
        );
        Assert.Contains(problems, p => p.StartsWith("$.window: ", StringComparison.Ordinal));
        Register(browser, File.ReadAllText(Path.Combine(DotnetProcess.RepositoryRoot, "examples", "new-users.2.json")));
        var created = Until(
            browser,
            () =>
                browser.FindElement(By.Id("message")) is { Displayed: true } m
                && m.Text.Contains("created", StringComparison.Ordinal)
                    ? m.Text
                    : null,
            "the registration's message"
        );
        Assert.Contains("created new-users@2", created, StringComparison.Ordinal);

        // Every view and version is listed.
        var views = Until(
            browser,
            () =>
                browser.FindElements(By.CssSelector("#views tbody tr")) is { Count: 6 } rows
                    ? rows.Select(r => $"{r.GetAttribute("data-view")} {r.GetAttribute("data-version")}").ToList()
                    : null,
            "the views table lists every view and version"
        );
        Assert.Equal(
            ["active-users 1", "new-users 1", "new-users 2", "orders-by-region 1", "page-views 1", "revenue 1"],
            views
        );
        Save(browser, "1-views");

        // The two versions' specs side by side, the lines that differ marked.
        browser.FindElement(By.CssSelector("#spec-view option[value='new-users']")).Click();
        Until(
            browser,
            () => browser.FindElements(By.CssSelector("#spec-compare option[value='2']")).Count == 1 ? "" : null,
            "version 2 among the specs"
        );
        browser.FindElement(By.CssSelector("#spec-compare option[value='2']")).Click();
        var changed = Until(
            browser,
            () =>
                browser.FindElements(By.CssSelector("#spec-right span.changed")) is { Count: > 0 } lines
                    ? lines.Select(l => l.Text.Trim()).ToList()
                    : null,
            "the changed lines of version 2"
        );
        Assert.Contains("\"version\": 2,", changed);
        Assert.Contains("\"value\": \"test\"", changed);
        Save(browser, "1b-specs");

        // The chart of new-users: the published days, all from the speed layer so far.
        browser.FindElement(By.CssSelector("#chart-view option[value='new-users']")).Click();
        var days = Until(
            browser,
            () => PublishedDays(browser) is { Count: >= 3 } found ? found : null,
            "the chart shows the published days"
        );
        Assert.All(days, day => Assert.False(day.Covered));
        Assert.All(days, day => Assert.Equal(("0", day.Cells[1]), (day.Cells[2], day.Cells[3])));
        Assert.NotNull(browser.FindElement(By.Id("answers-chart")));
        Save(browser, "2-chart-speed-layer");

        // A wrong admin key is refused, and the page says so.
        UseKey(browser, "wrong-key");
        RecomputeButton(browser, "new-users").Click();
        var refusal = Until(
            browser,
            () =>
                browser.FindElement(By.Id("message")) is { Displayed: true } m && m.GetAttribute("class") == "error"
                    ? m
                    : null,
            "an error message"
        );
        Assert.Contains("refused", refusal.Text, StringComparison.Ordinal);
        Save(browser, "3-wrong-key");

        // With the key, a recompute started from the page shows its progress until completed ...
        await run.WaitUntilSealedPastNowAsync();
        UseKey(browser, "test-key");
        RecomputeButton(browser, "new-users").Click();
        var completed = Until(
            browser,
            () =>
                browser
                    .FindElements(By.CssSelector("#operations tbody tr"))
                    .Where(r =>
                        r.GetAttribute("data-operation")!.StartsWith("recompute.new-users@1.", StringComparison.Ordinal)
                        && r.GetAttribute("data-state") == "completed"
                    )
                    .Select(r => r.FindElement(By.TagName("progress")))
                    .Select(p => new[] { p.GetAttribute("max"), p.GetAttribute("value") })
                    .FirstOrDefault(),
            "the recompute reaches completed",
            TimeSpan.FromMinutes(2)
        );
        Assert.Equal(completed[0], completed[1]);
        Save(browser, "4-recompute-completed");

        // ... and the chart's days turn batch-covered, their values now from the batch view.
        var covered = Until(
            browser,
            () => PublishedDays(browser) is { Count: >= 3 } found && found.All(d => d.Covered) ? found : null,
            "the published days are covered by the batch view"
        );
        Assert.All(covered, day => Assert.Equal((day.Cells[1], "0"), (day.Cells[2], day.Cells[3])));
        Save(browser, "5-chart-batch-covered");

        // With version 2 in shadow, the chart shows its answers beside; an audit's report appears.
        using var http = new HttpClient { BaseAddress = run.BaseUri };
        http.DefaultRequestHeaders.Add("x-functions-key", "test-key");
        Assert.True(
            (await http.PutAsync("api/views/new-users/routing?weights=1:100&shadow=2", null)).IsSuccessStatusCode
        );
        Assert.True((await http.PostAsync("api/audit/new-users?version=1", null)).IsSuccessStatusCode);
        var shadowed = Until(
            browser,
            () =>
                PublishedDays(browser) is { Count: >= 3 } found && found.All(d => d.Cells[5].Length > 0) ? found : null,
            "the shadow version's answers"
        );
        Assert.All(
            shadowed,
            day => Assert.True(Number(day.Cells[5]) <= Number(day.Cells[1]), "v2 leaves test accounts out")
        );
        var audit = Until(
            browser,
            () => browser.FindElements(By.CssSelector("#audits .audit .clean")).Select(a => a.Text).FirstOrDefault(),
            "the audit's report",
            TimeSpan.FromMinutes(1)
        );
        Assert.StartsWith("new-users v1: clean", audit, StringComparison.Ordinal);
        Save(browser, "6-shadow-and-audit");

        // Refreshes update the rows in place and leave every cell where it was: each version keeps its actions.
        var actions = Until(
            browser,
            () =>
                browser
                    .FindElements(By.CssSelector("#views tbody tr"))
                    .Select(r => r.FindElements(By.TagName("td")).Count)
                    .ToList(),
            "the views table's cells"
        );
        Assert.All(actions, cells => Assert.Equal(7, cells));

        // A view with a dimension can be charted for one of its values: the chart then shows that page's answers.
        browser.FindElement(By.CssSelector("#chart-view option[value='page-views']")).Click();
        var page = Until(
            browser,
            () =>
                browser.FindElements(By.CssSelector("#chart-dimension option")) is { Count: > 1 } options
                    ? options[1].GetAttribute("value")
                    : null,
            "the pages to chart"
        )!;
        browser.FindElement(By.CssSelector($"#chart-dimension option[value='{page}']")).Click();

        // Read until the table shows that page's windows (the page redraws every few seconds): their sum is the API's.
        decimal? charted = null,
            asked = null;
        for (var attempt = 0; attempt < 60 && (charted is null || charted != asked); attempt++)
        {
            await Task.Delay(TimeSpan.FromSeconds(0.5));
            var rows = browser
                .FindElements(By.CssSelector("#answers tbody tr"))
                .Select(Cells)
                .Where(c => c.Count == 6)
                .ToList();
            if (browser.FindElement(By.Id("chart-dimension")).GetAttribute("value") != page || rows.Count == 0)
            {
                continue;
            }

            charted = rows.Sum(c => Number(c[1]));
            using var answers = System.Text.Json.JsonDocument.Parse(
                await http.GetStringAsync(
                    $"api/views/page-views?from={Uri.EscapeDataString($"{rows[0][0]}|{page}")}"
                        + $"&to={Uri.EscapeDataString($"{rows[^1][0]}|{page}")}"
                )
            );
            asked = answers
                .RootElement.GetProperty("keys")
                .EnumerateArray()
                .Sum(k => k.GetProperty("value").GetDecimal());
        }

        Assert.True(charted is > 0 && charted == asked, $"the chart shows {charted} for {page}, the API {asked}");
        Save(browser, "6b-one-page");

        // A view of several aggregates is charted one aggregate at a time, as the API answers it.
        browser.FindElement(By.CssSelector("#chart-view option[value='orders-by-region']")).Click();
        var aggregates = Until(
            browser,
            () =>
                browser.FindElements(By.CssSelector("#chart-aggregate option")) is { Count: > 1 } options
                    ? options.Select(o => o.GetAttribute("value")).ToList()
                    : null,
            "the aggregates to chart"
        )!;
        Assert.Equal(["orders", "revenue", "buyers", "largest", "average", "goldOrders", "big"], aggregates);
        browser.FindElement(By.CssSelector("#chart-aggregate option[value='revenue']")).Click();
        (charted, asked) = (null, null);
        for (var attempt = 0; attempt < 60 && (charted is null || charted != asked); attempt++)
        {
            await Task.Delay(TimeSpan.FromSeconds(0.5));
            var rows = PublishedDays(browser);
            if (browser.FindElement(By.Id("chart-aggregate")).GetAttribute("value") != "revenue" || rows.Count == 0)
            {
                continue;
            }

            charted = rows.Sum(r => Number(r.Cells[1]));
            using var answers = System.Text.Json.JsonDocument.Parse(
                await http.GetStringAsync($"api/views/orders-by-region?from={rows[0].Cells[0]}&to={rows[^1].Cells[0]}")
            );
            asked = answers
                .RootElement.GetProperty("keys")
                .EnumerateArray()
                .Sum(k => k.GetProperty("values").GetProperty("revenue").GetDecimal());
        }

        Assert.True(charted is > 0 && charted == asked, $"the chart shows revenue {charted}, the API {asked}");
        Save(browser, "6c-one-aggregate");

        // On a phone's screen everything is in one column, and the page does not scroll sideways.
        browser.Manage().Window.Size = new System.Drawing.Size(390, 844);
        Until(
            browser,
            () =>
                browser.FindElements(By.CssSelector("#views tbody tr")) is { Count: 6 } rows
                    ? rows.Select(r => r.Text).ToList()
                    : null,
            "the views on a phone"
        );
        var (pageWidth, screenWidth) = (
            (long)browser.ExecuteScript("return document.documentElement.scrollWidth")!,
            (long)browser.ExecuteScript("return document.documentElement.clientWidth")!
        );
        Assert.True(pageWidth <= screenWidth, $"the page is {pageWidth} px wide on a {screenWidth} px screen");
        Save(browser, "7-phone");
    }

    /// <summary>Pastes a spec into the register form and sends it.</summary>
    private static void Register(ChromeDriver browser, string spec)
    {
        var text = browser.FindElement(By.Id("register-spec"));
        browser.ExecuteScript("arguments[0].value = arguments[1]", text, spec);
        browser.FindElement(By.CssSelector("#register-form button[type=submit]")).Click();
    }

    private static ChromeDriver StartBrowser()
    {
        var options = new ChromeOptions { BinaryLocation = Chromium };
        options.AddArguments(
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1400,1800",
            $"--user-data-dir={Directory.CreateTempSubdirectory("pipeline-chromium-").FullName}"
        );
        var service = ChromeDriverService.CreateDefaultService(
            Path.GetDirectoryName(ChromeDriver)!,
            Path.GetFileName(ChromeDriver)
        );
        service.SuppressInitialDiagnosticInformation = true;
        return new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
    }

    /// <summary>
    /// The chart table's rows of windows with data (the table under the chart holds what it draws), read at
    /// once: what the test checks is this reading, not elements the page may replace later.
    /// </summary>
    private static List<WindowRow> PublishedDays(ChromeDriver browser) =>
        [
            .. browser
                .FindElements(By.CssSelector("#answers tbody tr"))
                .Select(r => new WindowRow(r.GetAttribute("data-covered") == "true", Cells(r)))
                .Where(w => w.Cells is { Count: 6 } cells && cells[4] != "no data"),
        ];

    /// <summary>A row's cell texts (also of the folded table, which a browser does not display).</summary>
    private static List<string> Cells(IWebElement row) =>
        [.. row.FindElements(By.TagName("td")).Select(c => c.GetAttribute("textContent") ?? string.Empty)];

    private static decimal Number(string text) =>
        decimal.Parse(
            text,
            System.Globalization.NumberStyles.Number,
            System.Globalization.CultureInfo.InvariantCulture
        );

    private static IWebElement RecomputeButton(ChromeDriver browser, string view) =>
        browser.FindElement(
            By.CssSelector($"#views tbody tr[data-view='{view}'][data-version='1'] button[data-action='recompute']")
        );

    private static void UseKey(ChromeDriver browser, string key)
    {
        var input = browser.FindElement(By.Id("admin-key"));
        input.Clear();
        input.SendKeys(key);
        browser.FindElement(By.CssSelector("#key-form button[type='submit']")).Click();
    }

    /// <summary>Polls until <paramref name="find"/> gives something (the page refreshes itself every few
    /// seconds).</summary>
    private static T Until<T>(ChromeDriver browser, Func<T?> find, string what, TimeSpan? timeout = null)
        where T : class
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(45));
        while (true)
        {
            try
            {
                if (find() is { } found)
                {
                    return found;
                }
            }
            catch (StaleElementReferenceException)
            {
                // The page re-rendered the table meanwhile: look again.
            }

            if (DateTime.UtcNow > deadline)
            {
                Save(browser, "failed-" + string.Concat(what.Where(char.IsLetterOrDigit)));
                throw new TimeoutException($"the console did not show {what}");
            }

            Thread.Sleep(250);
        }
    }

    /// <summary>One window of the chart's table: covered by the batch view, and its cells' texts.</summary>
    private sealed record WindowRow(bool Covered, List<string> Cells);

    private static void Save(ChromeDriver browser, string name)
    {
        Directory.CreateDirectory(Screenshots);
        ((ITakesScreenshot)browser).GetScreenshot().SaveAsFile(Path.Combine(Screenshots, name + ".png"));
    }
}
