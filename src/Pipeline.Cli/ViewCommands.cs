using System.CommandLine;
using Pipeline.Domain.Views.Specs;

namespace Pipeline.Cli;

/// <summary>
/// <c>pipeline views</c>: the view specs (JSON files of <c>views/view-spec.schema.json</c>'s form). <c>validate</c>
/// checks files offline, with no pipeline running: each problem as <c>file:$.path: message</c>.
/// </summary>
internal static class ViewCommands
{
    /// <summary>The <c>views</c> command and its subcommands.</summary>
    public static Command Views()
    {
        var views = new Command("views", "View specs: views declared as JSON files, one per view version");
        views.Subcommands.Add(Validate());
        return views;
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

    private static IEnumerable<string> Expand(IEnumerable<string> paths) =>
        paths.SelectMany<string, string>(path =>
            Directory.Exists(path)
                ? Directory
                    .EnumerateFiles(path, "*.json")
                    .Where(f => !f.EndsWith(".schema.json", StringComparison.Ordinal))
                    .Order(StringComparer.Ordinal)
                : [path]
        );
}
