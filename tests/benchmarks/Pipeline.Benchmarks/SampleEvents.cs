using System.Globalization;
using System.Text;

namespace Pipeline.Benchmarks;

/// <summary>
/// Realistic NDJSON: sign-ups, page views and orders over four days, about 150 bytes each, from a
/// population of <c>users</c> (the default gives each active user about a dozen events a day).
/// </summary>
internal static class SampleEvents
{
    public const int DefaultUsers = 20_000;

    public static byte[] Ndjson(int count, int users = DefaultUsers, int seed = 42)
    {
        var random = new Random(seed);
        var text = new StringBuilder(count * 160);
        for (var i = 0; i < count; i++)
        {
            var user = random.Next(users);
            var time = new DateTime(2026, 11, 18, 0, 0, 0, DateTimeKind.Utc).AddSeconds(random.Next(4 * 86_400));
            var (type, data) = random.Next(10) switch
            {
                0 => ("user.signup", """{"plan":"free"}"""),
                1 or 2 => (
                    "order.placed",
                    $$"""{"amount":{{(random.Next(100, 50_000) / 100m).ToString(CultureInfo.InvariantCulture)}}}"""
                ),
                _ => ("page.view", $$"""{"page":"/p/{{random.Next(500)}}"}"""),
            };
            text.Append(
                    CultureInfo.InvariantCulture,
                    $$"""{"specversion":"1.0","id":"e-{{i}}","source":"/web","type":"{{type}}","subject":"user-{{user}}","time":"{{time:yyyy-MM-ddTHH:mm:ssZ}}","data":{{data}}}"""
                )
                .Append('\n');
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }
}
