using System.Text.Json;

namespace Pipeline.Cli;

/// <summary>
/// What a command prints when something goes wrong while it runs: one line saying what, and what to do about
/// it (a pipeline that does not answer, a missing file, a refusal), with exit code 1; never a stack trace for
/// what a user can fix.
/// </summary>
internal static class ToolErrors
{
    /// <summary>Runs a command's work; returns its exit code.</summary>
    public static async Task<int> RunAsync(System.CommandLine.ParseResult parse, Uri url, Func<Task<int>> work)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(work);
        try
        {
            return await work();
        }
        catch (Exception ex) when (Describe(ex, url) is { } problem)
        {
            await parse.InvocationConfiguration.Error.WriteLineAsync(problem);
            return 1;
        }
    }

    /// <summary>The one line for a failure a user can act on; null for a bug (which then shows its stack
    /// trace).</summary>
    public static string? Describe(Exception exception, Uri url) =>
        exception switch
        {
            HttpRequestException http when http.StatusCode is null =>
                $"the pipeline at {url} did not answer ({http.Message}); is the dev host running? start it with: "
                    + $"dotnet run --project src/Pipeline.DevHost",
            HttpRequestException http => $"the pipeline at {url} answered {(int)http.StatusCode!}: {http.Message}",
            TaskCanceledException => $"the pipeline at {url} did not answer in time",
            FileNotFoundException missing => $"{missing.Message.TrimEnd('.')}: {Hint(missing.FileName)}",
            DirectoryNotFoundException missing => $"{missing.Message.TrimEnd('.')}: check the path",
            InvalidOperationException or InvalidDataException or ArgumentException or JsonException or IOException =>
                exception.Message,
            _ => null,
        };

    private static string Hint(string? file) =>
        string.Equals(Path.GetFileName(file), "truth.json", StringComparison.Ordinal)
            ? "publish writes the ground truth there first (pipeline publish), or pass --truth FILE"
            : "check the path";
}
