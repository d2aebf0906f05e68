using System.Globalization;
using System.Text;

namespace Pipeline.Benchmarks;

/// <summary>Traffic for load tests: event times within the last two minutes (or a given span), out of order, 20,000
/// users, Zipf pages.</summary>
internal sealed class LiveTraffic(int seed, double spanSeconds = 120)
{
    private readonly Random _random = new(seed);
    private long _next;

    public string NdjsonBatch(int count, string prefix, DateTime? before = null)
    {
        var text = new StringBuilder(count * 190);
        var now = before ?? DateTime.UtcNow;
        for (var i = 0; i < count; i++)
        {
            var id = Interlocked.Increment(ref _next);
            var user = _random.Next(20_000);
            var time = now.AddSeconds(-_random.NextDouble() * spanSeconds);
            var roll = _random.Next(100);
            var (type, data) = roll switch
            {
                < 10 => ("user.signup", id % 5 == 0 ? """{"plan":"test"}""" : """{"plan":"free"}"""),
                < 35 => (
                    "order.placed",
                    string.Create(CultureInfo.InvariantCulture, $$"""{"amount":{{_random.Next(100, 50_000) / 100m}}}""")
                ),
                _ => (
                    "page.view",
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $$"""{"page":"/p/{{(int)Math.Floor(Math.Pow(_random.NextDouble(), 3) * 200)}}"}"""
                    )
                ),
            };
            text.Append(
                    CultureInfo.InvariantCulture,
                    $$"""{"specversion":"1.0","id":"{{prefix}}-{{id}}","source":"/bench","type":"{{type}}","subject":"user-{{user}}","time":"{{time:yyyy-MM-ddTHH:mm:ss.fffZ}}","data":{{data}}}"""
                )
                .Append('\n');
        }

        return text.ToString();
    }
}
