using System.Globalization;
using System.Text;
using System.Text.Json;
using Pipeline.Domain.Events;
using Pipeline.Domain.Views;
using Pipeline.Domain.Views.Specs;

namespace Pipeline.Domain.Tests.Views.Specs;

/// <summary>
/// The files in <c>views/</c> declare the views the pipeline runs: the contract's evaluator of each file and the
/// pipeline's fold of its view give the same value for every key, from the same events, over mixed traffic.
/// </summary>
public sealed class ShippedSpecsTests
{
    public static TheoryData<string> Views =>
        ["new-users.1", "new-users.2", "active-users.1", "revenue.1", "page-views.1"];

    [Theory]
    [MemberData(nameof(Views))]
    public void AShippedSpec_AnswersAsThePipelinesViewDoes(string file)
    {
        var spec = ViewSpecReader.Read(File.ReadAllBytes(SpecFiles.PathOf(file))).Spec!;
        var view = BuiltInViews.All.SingleOrDefault(v => v.Id == spec.Id) ?? SpecCompiler.Compile(spec);
        var evaluator = new SpecEvaluator(spec);
        var fold = new ViewAccumulator(view);
        var enqueued = new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);
        foreach (var json in Traffic(4_000))
        {
            var utf8 = Encoding.UTF8.GetBytes(json);
            Assert.True(
                CloudEventParser.TryParse(utf8, enqueued, out var cloudEvent, out var rejection),
                rejection.ToString()
            );
            using var document = JsonDocument.Parse(utf8);
            fold.Add(cloudEvent);
            evaluator.Add(document.RootElement, enqueued);
        }

        var expected = fold.Partials.ToDictionary(
            p => p.Key.Format(view.Window),
            p => (p.Value.Events, p.Value.State.Result.Value)
        );
        // Today's single-aggregate views count, as a key's events, those their aggregate used; a spec's key also
        // holds the events its aggregate skipped (and says so), so the comparison is with what the aggregate used.
        var actual = evaluator
            .Keys.Where(k => k.Value.Aggregates[0].Used > 0)
            .ToDictionary(k => k.Key, k => (k.Value.Aggregates[0].Used, k.Value.Aggregates[0].Value));
        Assert.True(expected.Count > 1, "the traffic gave the view too few keys to compare");
        Assert.Equal(
            expected.OrderBy(e => e.Key, StringComparer.Ordinal),
            actual.OrderBy(e => e.Key, StringComparer.Ordinal)
        );
    }

    /// <summary>Sign-ups (some of test accounts), orders (amounts as numbers, numeric strings and unusable values),
    /// page views and other events, over three days, some without time.</summary>
    private static IEnumerable<string> Traffic(int count)
    {
        var random = new Random(20261202);
        string[] types = ["user.signup", "order.placed", "page.view", "cart.updated"];
        string[] pages = ["/", "/pricing", "/docs/start", "/blog/é", "/a b"];
        string[] amounts = ["12.5", "\"7.25\"", "0.00000001", "\"abc\"", "1e2", "0.123456789", "null", "-3"];
        for (var i = 0; i < count; i++)
        {
            var type = types[random.Next(types.Length)];
            var time = new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.Zero).AddMinutes(random.Next(3 * 24 * 60));
            var timeText =
                random.Next(10) == 0
                    ? ""
                    : $",\"time\":\"{time.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}\"";
            var subject = random.Next(20) == 0 ? "" : $",\"subject\":\"user-{random.Next(300)}\"";
            var data = type switch
            {
                "user.signup" => $"{{\"plan\":\"{(random.Next(4) == 0 ? "test" : "free")}\"}}",
                "order.placed" => $"{{\"amount\":{amounts[random.Next(amounts.Length)]}}}",
                "page.view" => random.Next(15) == 0 ? "{}" : $"{{\"page\":\"{pages[random.Next(pages.Length)]}\"}}",
                _ => "{\"items\":3}",
            };
            yield return $"{{\"specversion\":\"1.0\",\"id\":\"e{i}\",\"source\":\"/shop\",\"type\":\"{type}\"{timeText}{subject},\"data\":{data}}}";
        }
    }
}
