using System.CommandLine;
using System.Net;
using System.Text.Json;
using Pipeline.Domain.Views.Specs;

namespace Pipeline.Cli;

/// <summary>
/// <c>pipeline views apply FILES|DIR</c>: registers spec files with a running pipeline (<c>PUT
/// /api/views/{name}/versions/{version}</c>), one line per file: created, unchanged or refused with the reason.
/// </summary>
internal static class ViewApply
{
    public static Command Command()
    {
        var files = new Argument<string[]>("FILES")
        {
            Description = "Spec files, or folders whose *.json files are specs (*.schema.json is skipped)",
            Arity = ArgumentArity.OneOrMore,
        };
        var command = new Command(
            "apply",
            "Register spec files with a running pipeline: created, unchanged or refused per file (exit code 1 for any "
                + "refused)"
        )
        {
            files,
            Commands.Url,
            Commands.Key,
        };
        ViewCommands.AskPipeline(
            command,
            async (parse, http, url, cancellationToken) =>
            {
                var key =
                    AdminCommands.FindKey(parse.GetValue(Commands.Key))
                    ?? throw new InvalidOperationException(
                        "no admin key: pass --key, set PIPELINE_ADMIN_KEY, or run this where the dev host keeps "
                            + ".azurite/local-admin-key"
                    );
                var output = parse.InvocationConfiguration.Output;
                var refused = 0;
                foreach (var path in ViewCommands.Expand(parse.GetValue(files)!))
                {
                    var (line, accepted) = await ApplyAsync(http, url, key, path, cancellationToken);
                    refused += accepted ? 0 : 1;
                    await output.WriteLineAsync(line);
                }

                return refused == 0 ? 0 : 1;
            }
        );
        return command;
    }

    /// <summary>Registers one file; its line of output, and whether the pipeline took it (created or
    /// unchanged).</summary>
    private static async Task<(string Line, bool Accepted)> ApplyAsync(
        HttpClient http,
        Uri url,
        string key,
        string path,
        CancellationToken cancellationToken
    )
    {
        if (!File.Exists(path))
        {
            return ($"{path}: refused: there is no such file or folder", false);
        }

        var bytes = await File.ReadAllBytesAsync(path, cancellationToken);
        var reading = ViewSpecReader.Read(bytes);
        if (reading.Spec is not { } spec)
        {
            return (
                $"{path}: refused: " + string.Join($"{Environment.NewLine}{path}: refused: ", reading.Problems),
                false
            );
        }

        var route = $"api/views/{Uri.EscapeDataString(spec.Name)}/versions/{spec.Version}";
        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri(url, route))
        {
            Content = new ByteArrayContent(bytes),
        };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("x-functions-key", key);
        using var response = await http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        using var answer = body.StartsWith('{') ? JsonDocument.Parse(body) : null;
        var root = answer?.RootElement ?? default;
        return response.StatusCode switch
        {
            HttpStatusCode.Created => (
                $"{path}: created {spec.Id} (maintained from epoch {root.GetProperty("registeredEpoch").GetInt64()}; "
                    + $"replay it to catch up: pipeline replay --view {spec.Name} --version {spec.Version})",
                true
            ),
            HttpStatusCode.OK => ($"{path}: unchanged {spec.Id} (registered with the same content)", true),
            _ => ($"{path}: refused: {(int)response.StatusCode} {Problems(root)}", false),
        };
    }

    private static string Problems(JsonElement error) =>
        error.ValueKind != JsonValueKind.Object ? "(no explanation)"
        : error.TryGetProperty("problems", out var all) && all.ValueKind == JsonValueKind.Array
            ? string.Join("; ", all.EnumerateArray().Select(p => p.GetString()))
        : error.TryGetProperty("error", out var one) ? one.GetString() ?? string.Empty
        : "(no explanation)";
}
