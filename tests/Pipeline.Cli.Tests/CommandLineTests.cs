using System.CommandLine;
using System.Net;
using System.Net.Sockets;

namespace Pipeline.Cli.Tests;

/// <summary>The tool as a user meets it: help for every command, one line for a mistake, no stack traces.</summary>
public class CommandLineTests
{
    private static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await Commands
            .Root()
            .Parse(args)
            .InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }

    [Theory]
    [InlineData("publish", "--help")]
    [InlineData("verify", "-h")]
    [InlineData("recompute", "-h")]
    [InlineData("replay", "--help")]
    [InlineData("audit", "--help")]
    public async Task EveryCommand_HasHelp_ThatDescribesItsOptions(string command, string help)
    {
        var (exit, output, _) = await RunAsync(command, help);

        Assert.Equal(0, exit);
        Assert.Contains($" {command} [options]", output, StringComparison.Ordinal);
        Assert.Contains("--url", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--events must be at least 1, not -5", "publish", "--events", "-5")]
    [InlineData("Required argument missing for option: '--events'", "publish", "--events")]
    [InlineData("--retry-rate must be from 0 to 1", "publish", "--retry-rate", "2")]
    [InlineData("recompute takes --all or --view NAME", "recompute")]
    [InlineData("recompute takes --all or --view NAME", "recompute", "--all", "--view", "x")]
    [InlineData("--version must be 1 or more", "replay", "--view", "new-users", "--version", "0")]
    [InlineData("Option '--view' is required", "audit")]
    [InlineData("--url 'ftp://x' is not an http(s) address", "verify", "--url", "ftp://x")]
    public async Task AMistake_IsOneLine_FollowedByTheCommandsOwnUsage(string problem, params string[] args)
    {
        var (exit, output, error) = await RunAsync(args);

        Assert.NotEqual(0, exit);
        Assert.StartsWith(problem, error.Trim(), StringComparison.Ordinal);
        Assert.Contains($" {args[0]} [options]", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error + output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyWithoutAGroundTruth_SaysWhereItLookedAndWhatWritesIt()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"no-truth-{Guid.NewGuid():N}", "truth.json");

        var (exit, _, error) = await RunAsync("verify", "--truth", missing);

        Assert.Equal(1, exit);
        Assert.Equal(
            $"there is no ground truth at {missing}: publish writes the ground truth there first (pipeline publish), "
                + $"or pass --truth FILE",
            error.Trim()
        );
    }

    [Fact]
    public async Task PublishWhereNothingListens_EndsAtOnce_WithAHint()
    {
        var port = FreePort();
        var truth = Path.Combine(Directory.CreateTempSubdirectory("truth-").FullName, "truth.json");

        var run = RunAsync("publish", "--url", $"http://127.0.0.1:{port}", "--events", "10", "--truth", truth);
        var finished = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(30)));

        Assert.Same(run, finished);
        var (exit, _, error) = await run;
        Assert.Equal(1, exit);
        Assert.Contains("did not answer", error, StringComparison.Ordinal);
        Assert.Contains("dotnet run --project src/Pipeline.DevHost", error, StringComparison.Ordinal);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
