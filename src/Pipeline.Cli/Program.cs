using Azure.Identity;
using Pipeline.Cli;

const string Usage = """
    usage:
      pipeline publish [--url http://127.0.0.1:7071] [--events 20000] [--users 2000] [--days 3]
                       [--retry-rate 0.02] [--malformed-rate 0.01] [--seed 1] [--rate 0 (events/s; 0: as fast as accepted)]
                       [--batch 500] [--concurrency 4] [--truth truth.json]
                       [--eventhub https://NAMESPACE.servicebus.windows.net/HUB (--sas-key-name N --sas-key K | --entra)]
      pipeline verify  [--url http://127.0.0.1:7071] [--truth truth.json] [--require-batch]
      pipeline recompute (--all | --view NAME [--version N]) [--wait] [--url ...] [--key K]
      pipeline replay  --view NAME --version N [--wait] [--url ...] [--key K]
      pipeline audit   --view NAME [--version N] [--wait] [--url ...] [--key K]

    Admin commands send --key, else PIPELINE_ADMIN_KEY, else the dev host's .azurite/local-admin-key
    (in this folder or above). --wait waits for the operation to end, showing its progress; a recompute
    with --wait first lets the current epoch seal (when that takes at most two minutes), so that it
    covers everything published before it.
    """;

try
{
    if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
    {
        Console.WriteLine(Usage);
        return args.Length == 0 ? 2 : 0;
    }

    var options = new CommandLine(args.Skip(1));
    using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(100) };
    var baseUri = new Uri(options.String("url", "http://127.0.0.1:7071").TrimEnd('/') + "/");
    var truthPath = options.String("truth", "truth.json");
    switch (args[0])
    {
        case "publish":
            var settings = new TrafficSettings(
                options.Int("events", 20_000), options.Int("users", 2_000), options.Int("days", 3),
                options.Double("retry-rate", 0.02), options.Double("malformed-rate", 0.01), options.Int("seed", 1), TimeProvider.System.GetUtcNow());
            var sink = CreateSink(options, http, baseUri);
            var publisher = new Publisher(sink, Console.Out, options.Int("batch", 500), options.Int("concurrency", 4), options.Double("rate", 0));
            options.RejectUnknown();
            var events = TrafficGenerator.Generate(settings);
            await GroundTruth.WriteAsync(truthPath, GroundTruth.Compute(events));
            Console.WriteLine($"generated {events.Count:N0} events (with producer retries and malformed ones); ground truth in {Path.GetFullPath(truthPath)}");
            await publisher.PublishAsync(events, CancellationToken.None);
            return 0;
        case "verify":
            var requireBatch = options.Flag("require-batch");
            options.RejectUnknown();
            var truth = await GroundTruth.ReadAsync(truthPath);
            return await new Verifier(http, baseUri, Console.Out).VerifyAsync(truth, requireBatch, CancellationToken.None) ? 0 : 1;
        case "recompute":
            var all = options.Flag("all");
            var recomputed = options.String("view");
            if (all == (recomputed is not null))
            {
                throw new ArgumentException("recompute takes --all or --view NAME");
            }

            var recomputeVersion = options.String("version") is null ? (int?)null : options.Int("version", 0);
            return await Admin(options, http, baseUri).RecomputeAsync(recomputed, recomputeVersion, options.Flag("wait"), CancellationToken.None);
        case "replay":
            var replayed = options.String("view") ?? throw new ArgumentException("replay needs --view NAME");
            var replayVersion = options.Int("version", 0);
            if (replayVersion < 1)
            {
                throw new ArgumentException("replay needs --version N (from 1)");
            }

            return await Admin(options, http, baseUri).ReplayAsync(replayed, replayVersion, options.Flag("wait"), CancellationToken.None);
        case "audit":
            var audited = options.String("view") ?? throw new ArgumentException("audit needs --view NAME");
            var auditVersion = options.String("version") is null ? (int?)null : options.Int("version", 0);
            return await Admin(options, http, baseUri).AuditAsync(audited, auditVersion, options.Flag("wait"), CancellationToken.None);
        default:
            Console.Error.WriteLine($"unknown command '{args[0]}'");
            Console.Error.WriteLine(Usage);
            return 2;
    }
}
catch (InvalidOperationException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 1;
}
catch (HttpRequestException ex)
{
    Console.Error.WriteLine($"the pipeline did not answer: {ex.Message} (is the dev host running? start it with: dotnet run --project src/Pipeline.DevHost)");
    return 1;
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(Usage);
    return 2;
}

static AdminCommands Admin(CommandLine options, HttpClient http, Uri baseUri)
{
    var key = AdminCommands.FindKey(options.String("key"));
    _ = options.Flag("wait"); // every admin command takes it (read again by the caller)
    options.RejectUnknown();
    return new AdminCommands(http, baseUri, key, Console.Out);
}

static IEventSink CreateSink(CommandLine options, HttpClient http, Uri baseUri)
{
    var hub = options.String("eventhub");
    var keyName = options.String("sas-key-name");
    var key = options.String("sas-key");
    var entra = options.Flag("entra");
    if (hub is null)
    {
        return new DevHostSink(http, baseUri);
    }

    return EventHubSink.Create(new Uri(hub), keyName, key, entra ? new DefaultAzureCredential() : null);
}
