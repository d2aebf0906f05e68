using Pipeline.Benchmarks;

try
{
    return args.FirstOrDefault() switch
    {
        "parse-fold" => ParseFoldBenchmark.Run(args.Skip(1).ToArray()),
        "ingest" => await IngestBenchmark.RunAsync(args.Skip(1).ToArray()),
        "recompute" => await RecomputeBenchmark.RunAsync(args.Skip(1).ToArray()),
        "scale" => await ScaleBenchmark.RunAsync(args.Skip(1).ToArray()),
        "query" => await QueryBenchmark.RunAsync(args.Skip(1).ToArray()),
        _ => Usage(),
    };
}
catch (InvalidOperationException ex)
{
    // A missing prerequisite or a host that would not start: one line, and everything started is ended.
    Console.Error.WriteLine($"the benchmark cannot run: {ex.Message}");
    return 1;
}

static int Usage()
{
    Console.Error.WriteLine(
        "usage: dotnet run -c Release --project tests/benchmarks/Pipeline.Benchmarks -- parse-fold [events] [users] | "
            + "ingest [seconds] [registered-versions] | recompute [events] [chunk-events] [activities] | scale [events-per-epoch] [epochs,epochs,...] | query [seconds]"
    );
    return 2;
}
