using System.Globalization;
using System.Text.Json;
using Pipeline.Domain.Events;
using Pipeline.Domain.Views;

namespace Pipeline.Benchmarks;

/// <summary>
/// Parsing and folding NDJSON into <c>new-users</c> and <c>active-users</c>, beside a bare
/// <see cref="Utf8JsonReader"/> scan of the same bytes (the floor any JSON consumer pays).
/// </summary>
internal static class ParseFoldBenchmark
{
    public static int Run(string[] args)
    {
        var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
        var users = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : SampleEvents.DefaultUsers;
        var ndjson = SampleEvents.Ndjson(count, users);
        Console.WriteLine(
            $"{count:N0} events from {users:N0} users over 4 days, {ndjson.Length / (double)count:F0} bytes each on "
                + $"average, one thread"
        );

        long tokens = 0,
            parsed = 0,
            contributed = 0;
        var results = Measure.Interleaved(
            15,
            () => tokens = BareScan(ndjson),
            () => parsed = ParseOnly(ndjson),
            () => contributed = ParseAndFold(ndjson)
        );
        var allocated = AllocatedPerEvent(ndjson, count);
        var rows = new[]
        {
            $"bare Utf8JsonReader scan ({tokens:N0} tokens)",
            $"parse and validate CloudEvents ({parsed:N0} valid)",
            $"parse + fold new-users and active-users ({contributed:N0} contributions)",
        };

        Console.WriteLine();
        Console.WriteLine(
            "| measurement | median time | events/s | time vs bare scan (median of 15 interleaved rounds) |"
        );
        Console.WriteLine("|---|---|---|---|");
        for (var i = 0; i < rows.Length; i++)
        {
            Console.WriteLine(
                $"| {rows[i]} | {results[i].Median.TotalMilliseconds:F0} ms | "
                    + $"{count / results[i].Median.TotalSeconds:N0} | {results[i].RatioToFirst:F2}x |"
            );
        }

        Console.WriteLine();
        Console.WriteLine(
            $"allocated while folding: {allocated:F1} bytes per event (new distinct users and per-key state only)"
        );
        return 0;
    }

    private static long BareScan(byte[] ndjson)
    {
        long tokens = 0;
        foreach (var line in Lines(ndjson))
        {
            var reader = new Utf8JsonReader(ndjson.AsSpan(line));
            while (reader.Read())
            {
                tokens++;
            }
        }

        return tokens;
    }

    private static long ParseOnly(byte[] ndjson)
    {
        var memory = ndjson.AsMemory();
        var enqueued = DateTimeOffset.UtcNow;
        long valid = 0;
        foreach (var line in Lines(ndjson))
        {
            valid += CloudEventParser.TryParse(memory[line], enqueued, out _, out _) ? 1 : 0;
        }

        return valid;
    }

    private static long ParseAndFold(byte[] ndjson)
    {
        var newUsers = new ViewAccumulator(BuiltInViews.NewUsers);
        var activeUsers = new ViewAccumulator(BuiltInViews.ActiveUsers);
        var enqueued = DateTimeOffset.UtcNow;
        var memory = ndjson.AsMemory();
        long contributed = 0;
        foreach (var line in Lines(ndjson))
        {
            if (CloudEventParser.TryParse(memory[line], enqueued, out var cloudEvent, out _))
            {
                contributed += (newUsers.Add(cloudEvent) ? 1 : 0) + (activeUsers.Add(cloudEvent) ? 1 : 0);
            }
        }

        return contributed;
    }

    private static double AllocatedPerEvent(byte[] ndjson, int count)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        ParseAndFold(ndjson);
        return (GC.GetAllocatedBytesForCurrentThread() - before) / (double)count;
    }

    private static IEnumerable<Range> Lines(byte[] ndjson)
    {
        var start = 0;
        while (start < ndjson.Length)
        {
            var length = ndjson.AsSpan(start).IndexOf((byte)'\n');
            var end = length < 0 ? ndjson.Length : start + length;
            yield return start..end;
            start = end + 1;
        }
    }
}
