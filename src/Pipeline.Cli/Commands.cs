using System.CommandLine;
using Azure.Identity;

namespace Pipeline.Cli;

/// <summary>
/// The tool's commands and options on System.CommandLine: each option with its help text and checks, so a
/// mistake is one line with the command's own usage (the library's parse errors), and what goes wrong while
/// a command runs is one line too (<see cref="ToolErrors"/>), never a stack trace.
/// </summary>
internal static class Commands
{
    private const string DefaultUrl = "http://127.0.0.1:7071";

    internal static readonly Option<Uri> Url = new("--url")
    {
        Description = "Where the pipeline answers (the dev host by default)",
        DefaultValueFactory = _ => new Uri(DefaultUrl),
        CustomParser = result =>
            Uri.TryCreate(result.Tokens[0].Value.TrimEnd('/') + "/", UriKind.Absolute, out var uri)
            && uri.Scheme is "http" or "https"
                ? uri
                : Refuse<Uri>(result, $"--url '{result.Tokens[0].Value}' is not an http(s) address"),
    };

    private static readonly Option<string> Truth = new("--truth")
    {
        Description = "The ground-truth file publish writes and verify reads",
        DefaultValueFactory = _ => "truth.json",
    };

    internal static readonly Option<string?> Key = new("--key")
    {
        Description =
            "The admin key (default: PIPELINE_ADMIN_KEY, else the dev host's .azurite/local-admin-key in this folder "
            + "or above)",
    };

    private static readonly Option<bool> Wait = new("--wait")
    {
        Description = "Wait for the operation to end, showing its progress",
    };

    /// <summary>The whole tool.</summary>
    public static RootCommand Root()
    {
        var root = new RootCommand(
            "The pipeline tool: publish traffic with its ground truth, verify answers, run recomputes, replays and "
                + "audits, validate view specs."
        );
        root.Subcommands.Add(Publish());
        root.Subcommands.Add(Verify());
        root.Subcommands.Add(Recompute());
        root.Subcommands.Add(Replay());
        root.Subcommands.Add(Audit());
        root.Subcommands.Add(ViewCommands.Views());
        return root;
    }

    private static Command Publish()
    {
        var events = Whole(
            "--events",
            "Events to generate (producer retries and malformed ones come on top)",
            20_000,
            min: 1
        );
        var users = Whole("--users", "Distinct users the events come from", 2_000, min: 1);
        var days = Whole("--days", "Days back from now the events' times spread over", 3, min: 1, max: 3650);
        var retryRate = Fraction(
            "--retry-rate",
            "Share of events sent again with the same id (producer retries)",
            0.02
        );
        var malformedRate = Fraction("--malformed-rate", "Share of malformed events", 0.01);
        var seed = new Option<int>("--seed")
        {
            Description = "Seed of the generator (same seed, same events)",
            DefaultValueFactory = _ => 1,
        };
        var rate = new Option<double>("--rate")
        {
            Description = "Events per second (0: as fast as the pipeline accepts)",
            DefaultValueFactory = _ => 0,
        };
        rate.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double>() < 0)
            {
                result.AddError("--rate must be 0 or more events per second");
            }
        });
        var batch = Whole("--batch", "Events per request", 500, min: 1, max: 100_000);
        var concurrency = Whole("--concurrency", "Requests in flight at once", 4, min: 1, max: 256);
        var eventHub = new Option<Uri?>("--eventhub")
        {
            Description =
                "Publish to this Event Hub (https://NAMESPACE.servicebus.windows.net/HUB) instead of the dev host",
        };
        var keyName = new Option<string?>("--sas-key-name") { Description = "Shared access key name for --eventhub" };
        var sasKey = new Option<string?>("--sas-key") { Description = "Shared access key for --eventhub" };
        var entra = new Option<bool>("--entra")
        {
            Description = "Authorize to --eventhub with a Microsoft Entra token (Azure CLI login, managed identity)",
        };
        var command = new Command(
            "publish",
            "Generate traffic, write its ground truth, and publish it; unacknowledged batches are sent again with the "
                + "same ids"
        )
        {
            Url,
            events,
            users,
            days,
            retryRate,
            malformedRate,
            seed,
            rate,
            batch,
            concurrency,
            Truth,
            eventHub,
            keyName,
            sasKey,
            entra,
        };
        command.Validators.Add(result =>
        {
            if (
                result.GetValue(eventHub) is not null
                && !result.GetValue(entra)
                && (result.GetValue(keyName) is null || result.GetValue(sasKey) is null)
            )
            {
                result.AddError("--eventhub needs --sas-key-name and --sas-key, or --entra");
            }
        });
        command.SetAction(
            (parse, cancellationToken) =>
                ToolErrors.RunAsync(
                    parse,
                    parse.GetValue(Url)!,
                    async () =>
                    {
                        using var http = Http();
                        var settings = new TrafficSettings(
                            parse.GetValue(events),
                            parse.GetValue(users),
                            parse.GetValue(days),
                            parse.GetValue(retryRate),
                            parse.GetValue(malformedRate),
                            parse.GetValue(seed),
                            TimeProvider.System.GetUtcNow()
                        );
                        var hub = parse.GetValue(eventHub);
                        IEventSink sink = hub is null
                            ? new DevHostSink(http, parse.GetValue(Url)!)
                            : EventHubSink.Create(
                                hub,
                                parse.GetValue(keyName),
                                parse.GetValue(sasKey),
                                parse.GetValue(entra) ? new DefaultAzureCredential() : null
                            );
                        if (sink is DevHostSink devHost)
                        {
                            // Nothing listening is said at once; while publishing, a host that restarts is waited for.
                            await devHost.CheckAsync(cancellationToken);
                        }

                        var generated = TrafficGenerator.Generate(settings);
                        var truthPath = parse.GetValue(Truth)!;
                        await GroundTruth.WriteAsync(truthPath, GroundTruth.Compute(generated));
                        await GroundTruth.WriteEventsAsync(GroundTruth.EventsPath(truthPath), generated);
                        parse.InvocationConfiguration.Output.WriteLine(
                            $"generated {generated.Count:N0} events (with producer retries and malformed ones); "
                                + $"ground truth in {Path.GetFullPath(truthPath)}"
                        );
                        await new Publisher(
                            sink,
                            parse.InvocationConfiguration.Output,
                            parse.GetValue(batch),
                            parse.GetValue(concurrency),
                            parse.GetValue(rate)
                        ).PublishAsync(generated, cancellationToken);
                        return 0;
                    }
                )
        );
        return command;
    }

    private static Command Verify()
    {
        var requireBatch = new Option<bool>("--require-batch")
        {
            Description = "Also fail for correct answers the batch layer does not cover yet",
        };
        var command = new Command(
            "verify",
            "Ask the pipeline for every key of the ground truth and report each difference (exit code 1 for any)"
        )
        {
            Url,
            Truth,
            requireBatch,
        };
        command.SetAction(
            (parse, cancellationToken) =>
                ToolErrors.RunAsync(
                    parse,
                    parse.GetValue(Url)!,
                    async () =>
                    {
                        using var http = Http();
                        var truthPath = parse.GetValue(Truth)!;
                        if (!File.Exists(truthPath))
                        {
                            throw new FileNotFoundException(
                                $"there is no ground truth at {Path.GetFullPath(truthPath)}",
                                truthPath
                            );
                        }

                        var truth = await GroundTruth.ReadAsync(truthPath);
                        return await new Verifier(
                            http,
                            parse.GetValue(Url)!,
                            parse.InvocationConfiguration.Output
                        ).VerifyAsync(
                            truth,
                            parse.GetValue(requireBatch),
                            cancellationToken,
                            GroundTruth.EventsPath(truthPath)
                        )
                            ? 0
                            : 1;
                    }
                )
        );
        return command;
    }

    private static Command Recompute()
    {
        var all = new Option<bool>("--all") { Description = "Every version of every view" };
        var view = new Option<string?>("--view") { Description = "One view (every version, or --version)" };
        var version = Version("The version (default: every version of --view)");
        var command = new Command(
            "recompute",
            "Recompute batch views up to the sealed cutoff; with --wait, first let the current epoch seal (at most "
                + "two minutes)"
        )
        {
            all,
            view,
            version,
            Wait,
            Url,
            Key,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(all) == (result.GetValue(view) is not null))
            {
                result.AddError("recompute takes --all or --view NAME");
            }
        });
        command.SetAction(
            (parse, cancellationToken) =>
                ToolErrors.RunAsync(
                    parse,
                    parse.GetValue(Url)!,
                    async () =>
                    {
                        using var http = Http();
                        return await Admin(parse, http)
                            .RecomputeAsync(
                                parse.GetValue(view),
                                parse.GetValue(version),
                                parse.GetValue(Wait),
                                cancellationToken
                            );
                    }
                )
        );
        return command;
    }

    private static Command Replay()
    {
        var view = new Option<string>("--view") { Description = "The view", Required = true };
        var version = Version("The version to rebuild from the whole raw log");
        version.Required = true;
        var command = new Command(
            "replay",
            "Rebuild a view version's batch view from the whole raw log while the serving version keeps serving"
        )
        {
            view,
            version,
            Wait,
            Url,
            Key,
        };
        command.SetAction(
            (parse, cancellationToken) =>
                ToolErrors.RunAsync(
                    parse,
                    parse.GetValue(Url)!,
                    async () =>
                    {
                        using var http = Http();
                        return await Admin(parse, http)
                            .ReplayAsync(
                                parse.GetValue(view)!,
                                parse.GetValue(version)!.Value,
                                parse.GetValue(Wait),
                                cancellationToken
                            );
                    }
                )
        );
        return command;
    }

    private static Command Audit()
    {
        var view = new Option<string>("--view") { Description = "The view", Required = true };
        var version = Version("The version (default: the serving one)");
        var command = new Command(
            "audit",
            "Check a view version against the raw log; with --wait, print the report (exit code 1 when not clean)"
        )
        {
            view,
            version,
            Wait,
            Url,
            Key,
        };
        command.SetAction(
            (parse, cancellationToken) =>
                ToolErrors.RunAsync(
                    parse,
                    parse.GetValue(Url)!,
                    async () =>
                    {
                        using var http = Http();
                        return await Admin(parse, http)
                            .AuditAsync(
                                parse.GetValue(view)!,
                                parse.GetValue(version),
                                parse.GetValue(Wait),
                                cancellationToken
                            );
                    }
                )
        );
        return command;
    }

    private static AdminCommands Admin(ParseResult parse, HttpClient http) =>
        new(
            http,
            parse.GetValue(Url)!,
            AdminCommands.FindKey(parse.GetValue(Key)),
            parse.InvocationConfiguration.Output
        );

    internal static HttpClient Http() => new() { Timeout = TimeSpan.FromSeconds(100) };

    internal static Option<int?> Version(string description)
    {
        var option = new Option<int?>("--version") { Description = description };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is < 1)
            {
                result.AddError("--version must be 1 or more: versions are numbered from 1");
            }
        });
        return option;
    }

    private static Option<int> Whole(string name, string description, int fallback, int min, int max = int.MaxValue)
    {
        var option = new Option<int>(name) { Description = description, DefaultValueFactory = _ => fallback };
        option.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<int>();
            if (value < min || value > max)
            {
                result.AddError(
                    max == int.MaxValue
                        ? $"{name} must be at least {min:N0}, not {value:N0}"
                        : $"{name} must be from {min:N0} to {max:N0}, not {value:N0}"
                );
            }
        });
        return option;
    }

    private static Option<double> Fraction(string name, string description, double fallback)
    {
        var option = new Option<double>(name)
        {
            Description = $"{description}, 0 to 1",
            DefaultValueFactory = _ => fallback,
        };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double>() is < 0 or > 1)
            {
                result.AddError($"{name} must be from 0 to 1");
            }
        });
        return option;
    }

    private static T Refuse<T>(System.CommandLine.Parsing.ArgumentResult result, string problem)
    {
        result.AddError(problem);
        return default!;
    }
}
