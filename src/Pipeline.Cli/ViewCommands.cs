using System.CommandLine;
using System.Text.Json;
using Pipeline.Domain.Views.Specs;

namespace Pipeline.Cli;

/// <summary>
/// <c>pipeline views</c>: the view specs (JSON files of <c>views/view-spec.schema.json</c>'s form). <c>validate</c>
/// checks files offline, with no pipeline running: each problem as <c>file:$.path: message</c>; <c>list</c> and
/// <c>show</c> ask a running pipeline what it serves.
/// </summary>
internal static class ViewCommands
{
    /// <summary>The <c>views</c> command and its subcommands.</summary>
    public static Command Views()
    {
        var views = new Command("views", "View specs: views declared as JSON files, one per view version");
        views.Subcommands.Add(Validate());
        views.Subcommands.Add(ViewApply.Command());
        views.Subcommands.Add(List());
        views.Subcommands.Add(Show());
        views.Subcommands.Add(Diff());
        return views;
    }

    private static Command Diff()
    {
        var name = new Argument<string>("NAME") { Description = "The view" };
        var from = new Argument<int>("A") { Description = "One version" };
        var to = new Argument<int>("B") { Description = "The version to compare it with" };
        var command = new Command("diff", "The lines of version A's spec that version B changes ('-' A, '+' B)")
        {
            name,
            from,
            to,
            Commands.Url,
        };
        AskPipeline(
            command,
            async (parse, http, url, cancellationToken) =>
            {
                var view = Uri.EscapeDataString(parse.GetValue(name)!);
                var (a, b) = (parse.GetValue(from), parse.GetValue(to));
                using var first = await GetAsync(http, url, $"api/views/{view}/versions/{a}", cancellationToken);
                using var second = await GetAsync(http, url, $"api/views/{view}/versions/{b}", cancellationToken);
                var output = parse.InvocationConfiguration.Output;
                await output.WriteLineAsync($"--- {parse.GetValue(name)}@{a}");
                await output.WriteLineAsync($"+++ {parse.GetValue(name)}@{b}");
                foreach (var line in LineDiff.Of(SpecText(first).Split('\n'), SpecText(second).Split('\n')))
                {
                    await output.WriteLineAsync(line);
                }

                return 0;
            }
        );
        return command;
    }

    /// <summary>The spec of a <c>GET /api/views/{name}/versions/{version}</c> answer, indented.</summary>
    private static string SpecText(JsonDocument answer) =>
        JsonSerializer.Serialize(answer.RootElement.GetProperty("spec"), Indented);

    private static Command List()
    {
        var command = new Command("list", "Every registered view version: its state, readers' share and key format")
        {
            Commands.Url,
        };
        AskPipeline(
            command,
            async (parse, http, url, cancellationToken) =>
            {
                using var views = await GetAsync(http, url, "api/views", cancellationToken);
                var output = parse.InvocationConfiguration.Output;
                foreach (var view in views.RootElement.EnumerateArray())
                {
                    var name = view.GetProperty("name").GetString();
                    foreach (var version in view.GetProperty("versions").EnumerateArray())
                    {
                        await output.WriteLineAsync(
                            $"{name}@{version.GetProperty("version").GetInt32()}  "
                                + $"{version.GetProperty("state").GetString()}  "
                                + $"{version.GetProperty("aggregation").GetString()} per "
                                + $"{version.GetProperty("keyFormat").GetString()}"
                        );
                    }
                }

                return 0;
            }
        );
        return command;
    }

    private static Command Show()
    {
        var name = new Argument<string>("NAME") { Description = "The view" };
        var version = Commands.Version("The version (default: the one the view serves)");
        var command = new Command("show", "A registered version's spec as declared, with its SHA-256")
        {
            name,
            version,
            Commands.Url,
        };
        AskPipeline(
            command,
            async (parse, http, url, cancellationToken) =>
            {
                var view = parse.GetValue(name)!;
                var number = parse.GetValue(version);
                if (number is null)
                {
                    using var views = await GetAsync(http, url, "api/views", cancellationToken);
                    number = views
                        .RootElement.EnumerateArray()
                        .Where(v => v.GetProperty("name").GetString() == view)
                        .Select(v => (int?)v.GetProperty("servingVersion").GetInt32())
                        .FirstOrDefault();
                }

                using var spec = await GetAsync(
                    http,
                    url,
                    $"api/views/{Uri.EscapeDataString(view)}/versions/{number ?? 1}",
                    cancellationToken
                );
                var output = parse.InvocationConfiguration.Output;
                await output.WriteLineAsync(
                    $"// {view}@{number ?? 1}  sha256 {spec.RootElement.GetProperty("hash").GetString()}"
                );
                await output.WriteLineAsync(SpecText(spec));
                return 0;
            }
        );
        return command;
    }

    /// <summary>Sets a command's work against a running pipeline: its HTTP client and address, and one line for
    /// what goes wrong (<see cref="ToolErrors"/>).</summary>
    internal static void AskPipeline(
        Command command,
        Func<ParseResult, HttpClient, Uri, CancellationToken, Task<int>> work
    ) =>
        command.SetAction(
            (parse, cancellationToken) =>
                ToolErrors.RunAsync(
                    parse,
                    parse.GetValue(Commands.Url)!,
                    async () =>
                    {
                        using var http = Commands.Http();
                        return await work(parse, http, parse.GetValue(Commands.Url)!, cancellationToken);
                    }
                )
        );

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>A GET of the pipeline's API; its JSON error as the message of a failure.</summary>
    private static async Task<JsonDocument> GetAsync(
        HttpClient http,
        Uri url,
        string path,
        CancellationToken cancellationToken
    )
    {
        using var response = await http.GetAsync(new Uri(url, path), cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var error = body.StartsWith('{') ? JsonDocument.Parse(body).RootElement : default;
            throw new InvalidOperationException(
                error.ValueKind == JsonValueKind.Object && error.TryGetProperty("error", out var message)
                    ? $"{(int)response.StatusCode}: {message.GetString()}"
                    : $"the pipeline at {url} answered {(int)response.StatusCode}"
            );
        }

        return JsonDocument.Parse(body);
    }

    private static Command Validate()
    {
        var files = new Argument<string[]>("FILES")
        {
            Description =
                "Spec files, or folders whose *.json files are specs (a schema file, *.schema.json, is skipped)",
            Arity = ArgumentArity.OneOrMore,
        };
        var command = new Command(
            "validate",
            "Check view spec files against the spec's rules, offline: one line per problem with its JSON path (exit "
                + "code 1 for any)"
        )
        {
            files,
        };
        command.SetAction(
            async (parse, cancellationToken) =>
            {
                var output = parse.InvocationConfiguration.Output;
                var error = parse.InvocationConfiguration.Error;
                var invalid = 0;
                var checkedFiles = 0;
                foreach (var path in Expand(parse.GetValue(files)!))
                {
                    if (!File.Exists(path))
                    {
                        await error.WriteLineAsync($"{path}: there is no such file or folder");
                        invalid++;
                        continue;
                    }

                    checkedFiles++;
                    var reading = ViewSpecReader.Read(await File.ReadAllBytesAsync(path, cancellationToken));
                    if (reading.Spec is { } spec)
                    {
                        await output.WriteLineAsync($"{path}: valid ({spec.Id})");
                        continue;
                    }

                    invalid++;
                    foreach (var problem in reading.Problems)
                    {
                        await error.WriteLineAsync($"{path}:{problem}");
                    }
                }

                await output.WriteLineAsync(
                    $"{checkedFiles} file{(checkedFiles == 1 ? "" : "s")} checked, {invalid} with problems"
                );
                return invalid == 0 ? 0 : 1;
            }
        );
        return command;
    }

    /// <summary>Files as given, a folder as its spec files (not its schema).</summary>
    internal static IEnumerable<string> Expand(IEnumerable<string> paths) =>
        paths.SelectMany<string, string>(path =>
            Directory.Exists(path)
                ? Directory
                    .EnumerateFiles(path, "*.json")
                    .Where(f => !f.EndsWith(".schema.json", StringComparison.Ordinal))
                    .Order(StringComparer.Ordinal)
                : [path]
        );
}

/// <summary>A line diff by longest common subsequence: every line of both, prefixed ' ', '-' or '+'.</summary>
internal static class LineDiff
{
    public static IEnumerable<string> Of(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        // Specs are small (at most 64 KiB), so the quadratic table is too.
        var common = new int[a.Count + 1, b.Count + 1];
        for (var i = a.Count - 1; i >= 0; i--)
        {
            for (var j = b.Count - 1; j >= 0; j--)
            {
                common[i, j] = a[i] == b[j] ? common[i + 1, j + 1] + 1 : Math.Max(common[i + 1, j], common[i, j + 1]);
            }
        }

        var (x, y) = (0, 0);
        while (x < a.Count || y < b.Count)
        {
            if (x < a.Count && y < b.Count && a[x] == b[y])
            {
                yield return " " + a[x++];
                y++;
            }
            else if (x < a.Count && (y == b.Count || common[x + 1, y] >= common[x, y + 1]))
            {
                yield return "-" + a[x++];
            }
            else
            {
                yield return "+" + b[y++];
            }
        }
    }
}
