using System.CommandLine;

namespace Pipeline.Cli.Tests;

/// <summary><c>pipeline views validate</c>, offline, as a user runs it on their files.</summary>
public sealed class ViewCommandsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("pipeline-views-").FullName;

    [Fact]
    public async Task TheShippedViewsFolder_IsValid()
    {
        var views = Path.Combine(RepositoryRoot(), "views");

        var (exit, output, error) = await RunAsync("views", "validate", views);

        Assert.Equal(0, exit);
        Assert.Equal(string.Empty, error);
        Assert.Contains("new-users.1.json: valid (new-users@1)", output, StringComparison.Ordinal);
        Assert.Contains("4 files checked, 0 with problems", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnInvalidFile_GetsALinePerProblem_WithItsPath_AndExitCode1()
    {
        var bad = Write(
            "orders.json",
            """{"name":"orders","version":1,"window":"day","aggregates":[{"name":"n","op":"count"},{"name":"s","op":"sum"}],"by":["data"]}"""
        );
        var good = Write(
            "good.json",
            """{"name":"good","version":3,"window":"week","aggregates":[{"name":"n","op":"count"}]}"""
        );

        var (exit, output, error) = await RunAsync("views", "validate", bad, good, Path.Combine(_folder, "none.json"));

        Assert.Equal(1, exit);
        Assert.Equal(
            [
                $"{bad}:$.by[0]: 'data' is the whole payload: name a property in it, such as data.amount",
                $"{bad}:$.aggregates[1].field: sum needs a field",
                $"{Path.Combine(_folder, "none.json")}: there is no such file or folder",
            ],
            error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        );
        Assert.Contains($"{good}: valid (good@3)", output, StringComparison.Ordinal);
        Assert.Contains("2 files checked, 2 with problems", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_RefusesAnInvalidFile_WithEveryProblem_BeforeAskingThePipeline()
    {
        var bad = Write(
            "orders.json",
            """{"name":"orders","version":1,"window":"fortnight","aggregates":[{"name":"s","op":"sum"}]}"""
        );

        // Nothing listens at the address: a file refused offline never reaches it.
        var (exit, output, _) = await RunAsync("views", "apply", bad, "--url", "http://127.0.0.1:9/", "--key", "k");

        Assert.Equal(1, exit);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(2, lines.Length);
        Assert.All(lines, line => Assert.StartsWith($"{bad}: refused: $.", line, StringComparison.Ordinal));
        Assert.Contains(lines, line => line.Contains("$.window", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.Contains("$.aggregates[0].field", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Validate_WithoutFiles_IsAMistake_WithItsUsage()
    {
        var (exit, output, error) = await RunAsync("views", "validate");

        Assert.NotEqual(0, exit);
        Assert.Contains("FILES", error + output, StringComparison.Ordinal);
        Assert.Contains("validate <FILES>...", output, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(string name, string json)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, json);
        return path;
    }

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

    internal static string RepositoryRoot()
    {
        for (
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            directory is not null;
            directory = directory.Parent
        )
        {
            if (File.Exists(Path.Combine(directory.FullName, "Pipeline.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException("Pipeline.sln not found above the test folder");
    }
}
