using System.Globalization;
using System.Text;

namespace Pipeline.Cli;

/// <summary>One generated event, before it becomes JSON: what the ground truth is computed from.</summary>
/// <summary>The source of every generated event.</summary>
internal static class Generated
{
    public const string Publisher = "/pipeline/publisher";
}

internal sealed record GeneratedEvent(
    string Id,
    string Type,
    string Subject,
    DateTimeOffset Time,
    decimal? Amount,
    string? Page,
    string? Malformed
)
{
    /// <summary>The JSON sent on the wire (a malformed event's text is what it is).</summary>
    public string Json =>
        Malformed
        ?? Type switch
        {
            "order.placed" => Envelope(
                $$$""","data":{"amount":{{{AmountJson}}},"currency":"EUR","region":"{{{Region}}}","""
                    + $"\"customer\":{{\"tier\":\"{Tier}\"}}}}"
            ),
            "page.view" => Envelope($$""","data":{"page":"{{Page}}"}"""),
            _ => Envelope($$""","data":{"plan":"{{Plan}}"}"""),
        };

    /// <summary>An order's amount as sent: every tenth one as a numeric string, which views count as a
    /// number.</summary>
    private string AmountJson =>
        Amount!.Value.ToString(CultureInfo.InvariantCulture) is var text && Id.EndsWith('7') ? $"\"{text}\"" : text;

    /// <summary>An order's region, from its id (so that the same event always carries the same one).</summary>
    public string Region => Regions[(int)(System.IO.Hashing.XxHash32.HashToUInt32(Encoding.UTF8.GetBytes(Id)) % 3)];

    /// <summary>An order's customer tier, from its subject.</summary>
    public string Tier => Tiers[(int)(System.IO.Hashing.XxHash32.HashToUInt32(Encoding.UTF8.GetBytes(Subject)) % 3)];

    private static readonly string[] Regions = ["eu", "us", "apac"];

    private static readonly string[] Tiers = ["gold", "silver", "bronze"];

    /// <summary>A sign-up's plan: every fifth one is a test account (what <c>new-users</c> v2 leaves out).</summary>
    public string Plan => Id.EndsWith('0') || Id.EndsWith('5') ? "test" : "free";

    private string Envelope(string data) =>
        $"{{\"specversion\":\"1.0\",\"id\":\"{Id}\",\"source\":\"{Generated.Publisher}\",\"type\":\"{Type}\","
        + $"\"subject\":\"{Subject}\",\"time\":\"{Time.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.fff'Z'}\"{data}}}";
}

/// <summary>Settings of the generated traffic.</summary>
internal sealed record TrafficSettings(
    int Events,
    int Users,
    int Days,
    double RetryRate,
    double MalformedRate,
    int Seed,
    DateTimeOffset Now
);

/// <summary>
/// Realistic traffic for the built-in views: sign-ups, page views over Zipf-distributed pages, orders
/// with amounts in cents, event times spread over several days and out of order, some events re-sent
/// by the producer (same id) and some malformed. Deterministic for a seed.
/// </summary>
internal static class TrafficGenerator
{
    private const int PageCount = 200;

    /// <summary>The events in publish order; producer retries appear as repeated events later in the stream.</summary>
    public static List<GeneratedEvent> Generate(TrafficSettings settings)
    {
        var random = new Random(settings.Seed);
        var zipf = ZipfCumulative(PageCount, 1.1);
        var events = new List<GeneratedEvent>(settings.Events);
        for (var i = 0; i < settings.Events; i++)
        {
            var id = string.Create(CultureInfo.InvariantCulture, $"evt-{settings.Seed}-{i}");
            if (random.NextDouble() < settings.MalformedRate)
            {
                events.Add(Malformed(id, random));
                continue;
            }

            var subject = string.Create(CultureInfo.InvariantCulture, $"user-{random.Next(settings.Users)}");
            var time = settings.Now.AddSeconds(-random.NextDouble() * settings.Days * 86_400);
            var roll = random.NextDouble();
            events.Add(
                roll switch
                {
                    < 0.10 => new GeneratedEvent(id, "user.signup", subject, time, null, null, null),
                    < 0.35 => new GeneratedEvent(
                        id,
                        "order.placed",
                        subject,
                        time,
                        random.Next(100, 50_000) / 100m,
                        null,
                        null
                    ),
                    _ => new GeneratedEvent(id, "page.view", subject, time, null, Page(zipf, random), null),
                }
            );
        }

        // Producer retries: the same event sent again a little later, as a client does after a timeout.
        var retries = (int)(settings.Events * settings.RetryRate);
        for (var r = 0; r < retries; r++)
        {
            var original = random.Next(events.Count);
            var at = Math.Min(events.Count, original + 1 + random.Next(2_000));
            events.Insert(at, events[original]);
        }

        return events;
    }

    private static GeneratedEvent Malformed(string id, Random random)
    {
        var text = random.Next(4) switch
        {
            0 => $$"""{"specversion":"1.0","id":"{{id}}","source":"{{Generated.Publisher}}","type":"page.view" """,
            1 => $$"""{"specversion":"1.0","source":"{{Generated.Publisher}}","type":"page.view","subject":"user-1"}""",
            2 => $"{{\"specversion\":\"1.0\",\"id\":\"{id}\",\"source\":\"{Generated.Publisher}\","
                + "\"type\":\"user.signup\",\"time\":\"yesterday\"}",
            _ => $$"""{"specversion":"0.3","id":"{{id}}","source":"{{Generated.Publisher}}","type":"user.signup"}""",
        };
        return new GeneratedEvent(id, "malformed", string.Empty, default, null, null, text);
    }

    private static string Page(double[] cumulative, Random random)
    {
        var index = Array.BinarySearch(cumulative, random.NextDouble());
        return string.Create(CultureInfo.InvariantCulture, $"/p/{(index < 0 ? ~index : index)}");
    }

    private static double[] ZipfCumulative(int count, double exponent)
    {
        var weights = Enumerable.Range(1, count).Select(rank => 1 / Math.Pow(rank, exponent)).ToArray();
        var total = weights.Sum();
        var cumulative = new double[count];
        var sum = 0.0;
        for (var i = 0; i < count; i++)
        {
            sum += weights[i] / total;
            cumulative[i] = sum;
        }

        cumulative[^1] = 1.0;
        return cumulative;
    }
}
