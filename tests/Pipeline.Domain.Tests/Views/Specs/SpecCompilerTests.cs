using System.Globalization;
using System.Text;
using System.Text.Json;
using Pipeline.Domain.Events;
using Pipeline.Domain.Views;
using Pipeline.Domain.Views.Specs;

namespace Pipeline.Domain.Tests.Views.Specs;

/// <summary>A spec built into the fold's view model answers as the contract's evaluator does.</summary>
public sealed class SpecCompilerTests
{
    [Theory]
    [InlineData("""{"field":"tenant","op":"eq","value":"acme"}""", """{"name":"n","op":"count"}""", "")]
    [InlineData(
        """{"field":"data.customer.tier","op":"in","value":["gold","silver"]}""",
        """{"name":"n","op":"count"}""",
        ""
    )]
    [InlineData(
        """{"field":"data.customer.tier","op":"notIn","value":["gold"]}""",
        """{"name":"n","op":"count"}""",
        ""
    )]
    [InlineData(
        """{"not":{"field":"data.customer.tier","op":"eq","value":"gold"}}""",
        """{"name":"n","op":"count"}""",
        ""
    )]
    [InlineData(
        """{"field":"data.amount","op":"gt","value":10}""",
        """{"name":"s","op":"sum","field":"data.amount"}""",
        ""
    )]
    [InlineData("""{"field":"data.amount","op":"ge","value":10}""", """{"name":"n","op":"count"}""", "")]
    [InlineData("""{"field":"data.amount","op":"exists"}""", """{"name":"a","op":"avg","field":"data.amount"}""", "")]
    [InlineData("""{"field":"data.amount","op":"le","value":10}""", """{"name":"n","op":"count"}""", "")]
    [InlineData(
        """{"field":"data.amount","op":"le","value":"10"}""",
        """{"name":"s","op":"sum","field":"data.amount"}""",
        "invalid"
    )]
    [InlineData(
        """{"any":[{"field":"data.amount","op":"lt","value":5},{"field":"source","op":"startsWith","value":"/shop/eu"}]}""",
        """{"name":"m","op":"max","field":"data.amount"}""",
        ""
    )]
    [InlineData(
        """{"field":"data.flag","op":"eq","value":true}""",
        """{"name":"m","op":"min","field":"data.amount"}""",
        ""
    )]
    [InlineData("""{"field":"data.count","op":"eq","value":3}""", """{"name":"n","op":"count"}""", "")]
    [InlineData(
        """{"field":"data.customer","op":"exists"}""",
        """{"name":"d","op":"distinct","field":"data.customer.tier"}""",
        ""
    )]
    [InlineData("""{"field":"data.customer.tier","op":"missing"}""", """{"name":"n","op":"count"}""", "")]
    [InlineData(
        """{"field":"data.customer.tier","op":"ne","value":"gold"}""",
        """{"name":"n","op":"count","where":{"field":"subject","op":"startsWith","value":"user-1"}}""",
        ""
    )]
    public void ACompiledSpec_AnswersAsTheContractsEvaluator(string where, string aggregate, string expectation)
    {
        var taken = 0;
        foreach (
            var (window, by) in new[]
            {
                ("day", ""),
                ("hour", ",\"by\":[\"data.customer.tier\"]"),
                ("day", ",\"by\":[\"tenant\"]"),
                ("minute", ""),
                ("week", ",\"by\":[\"tenant\"]"),
                ("month", ",\"by\":[\"data.customer.tier\"]"),
                ("day", ",\"by\":[\"data.customer.tier\",\"tenant\"]"),
                ("week", ",\"by\":[\"tenant\",\"source\",\"data.flag\"]"),
            }
        )
        {
            var json =
                $$"""{"name":"t","version":1,"where":{{where}},"window":"{{window}}"{{by}},"aggregates":[{{aggregate}}]}""";
            var reading = ViewSpecReader.Read(json);
            if (expectation == "invalid")
            {
                Assert.False(reading.IsValid);
                return;
            }

            Assert.True(reading.IsValid, string.Join("\n", reading.Problems));
            var view = SpecCompiler.Compile(reading.Spec!);
            var evaluator = new SpecEvaluator(reading.Spec!);
            var fold = new ViewAccumulator(view);
            var enqueued = new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);
            foreach (var eventJson in Traffic(3_000))
            {
                var utf8 = Encoding.UTF8.GetBytes(eventJson);
                Assert.True(
                    CloudEventParser.TryParse(utf8, enqueued, out var cloudEvent, out var rejection),
                    rejection.ToString()
                );
                using var document = JsonDocument.Parse(utf8);
                fold.Add(cloudEvent);

                evaluator.Add(document.RootElement, enqueued);
            }

            var expected = evaluator
                .Keys.Select(k => (k.Key, Total: k.Value.Aggregates[0]))
                .Where(k => k.Total.Used > 0 || k.Total.Skipped > 0)
                .ToDictionary(k => k.Key, k => (k.Total.Used, k.Total.Value, k.Total.Skipped));

            // A key whose events the aggregate all skipped (values it cannot use) is kept for its skipped count.
            var actual = fold.Partials.ToDictionary(
                p => p.Key.Format(view.Window),
                p => (p.Value.Events, p.Value.State.Result.Value, p.Value.Skipped)
            );
            taken += expected.Count;
            Assert.Equal(
                expected.OrderBy(e => e.Key, StringComparer.Ordinal),
                actual.OrderBy(e => e.Key, StringComparer.Ordinal)
            );
        }

        Assert.True(taken > 0 || expectation == "invalid", $"{where} took no event in any shape of key");
    }

    [Fact]
    public void ASpecWhoseStateCouldOutgrowARow_IsRefused_AtItsAggregates()
    {
        var sketches = string.Join(
            ",",
            Enumerable
                .Range(0, 4)
                .Select(i => $$"""{"name":"u{{i}}","op":"approxDistinct","field":"subject","precision":18}""")
        );
        var spec = ViewSpecReader
            .Read($$"""{"name":"t","version":1,"window":"month","aggregates":[{{sketches}}]}""")
            .Spec!;

        Assert.False(SpecCompiler.TryCompile(spec, out _, out var problems));
        Assert.Equal(["$.aggregates"], problems.Select(p => p.Path));
        var error = Assert.Throws<ArgumentException>(() => SpecCompiler.Compile(spec));
        Assert.StartsWith(
            "t@1: $.aggregates: a key's state could reach 1,024 KiB",
            error.Message,
            StringComparison.Ordinal
        );
        Assert.True(SpecCompiler.TryCompile(ViewSpecReader.Read(ThreeSketches).Spec!, out _, out _));
    }

    private const string ThreeSketches = """
        {"name":"t","version":1,"window":"month","aggregates":[
          {"name":"a","op":"approxDistinct","field":"subject","precision":18},
          {"name":"b","op":"approxDistinct","field":"id","precision":18},
          {"name":"c","op":"approxDistinct","field":"source","precision":18}]}
        """;

    [Fact]
    public void ASpecOfSeveralAggregates_AnswersEachAsTheContractsEvaluator_SkippedValuesCounted()
    {
        const string aggregates = """
            [{"name":"orders","op":"count"},
             {"name":"revenue","op":"sum","field":"data.amount"},
             {"name":"buyers","op":"distinct","field":"subject"},
             {"name":"largest","op":"max","field":"data.amount"},
             {"name":"smallest","op":"min","field":"data.amount"},
             {"name":"average","op":"avg","field":"data.amount"},
             {"name":"tiers","op":"approxDistinct","field":"data.customer.tier","precision":12},
             {"name":"big","op":"count","where":{"field":"data.amount","op":"ge","value":10}},
             {"name":"euSum","op":"sum","field":"data.count","where":{"field":"source","op":"startsWith","value":"/shop/eu"}}]
            """;
        var checkedKeys = 0;
        foreach (var (window, by) in KeyShapes)
        {
            var json =
                $$"""{"name":"t","version":1,"where":{"field":"type","op":"eq","value":"order.placed"},"window":"{{window}}"{{by}},"aggregates":{{aggregates}}}""";
            var spec = ViewSpecReader.Read(json).Spec!;
            var view = SpecCompiler.Compile(spec);
            var evaluator = new SpecEvaluator(spec);
            var fold = new ViewAccumulator(view);
            var enqueued = new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);
            foreach (var eventJson in Traffic(3_000))
            {
                var utf8 = Encoding.UTF8.GetBytes(eventJson);
                Assert.True(CloudEventParser.TryParse(utf8, enqueued, out var cloudEvent, out _));
                using var document = JsonDocument.Parse(utf8);
                fold.Add(cloudEvent);
                evaluator.Add(document.RootElement, enqueued);
            }

            Assert.Equal(
                evaluator.Keys.Keys.Order(StringComparer.Ordinal),
                fold.Partials.Keys.Select(k => k.Format(view.Window)).Order(StringComparer.Ordinal)
            );
            foreach (var (key, partial) in fold.Partials)
            {
                var expected = evaluator.Keys[key.Format(view.Window)];
                var state = Assert.IsType<Pipeline.Domain.Aggregations.CompositeState>(partial.State);
                Assert.Equal(expected.Events, partial.Events);
                Assert.Equal(
                    expected.Aggregates.Select(a => (a.Aggregate.Name, a.Value, a.Skipped)),
                    view.Aggregation.Parts!.Select((p, i) => (p.Name, state.Parts[i].Result.Value, state.Skipped[i]))
                );
                checkedKeys++;
            }
        }

        Assert.True(checkedKeys > 100, $"only {checkedKeys} keys checked");
    }

    private static readonly (string Window, string By)[] KeyShapes =
    [
        ("day", ""),
        ("hour", ",\"by\":[\"data.customer.tier\"]"),
        ("week", ",\"by\":[\"tenant\"]"),
        ("month", ",\"by\":[\"data.customer.tier\",\"tenant\"]"),
    ];

    [Fact]
    public void TheShippedViews_AreBuiltFromTheirSpecFiles()
    {
        var example = SpecFiles.View("new-users.2");
        Assert.Equal("Sign-ups per UTC day, without test accounts.", example.Description);
        Assert.Equal("type == \"user.signup\" and not (data.plan eq \"test\")", example.Filter.Description);
        Assert.Equal("yyyy-MM-ddTHH|{data.page}", BuiltInViews.PageViews.KeyFormat);
    }

    /// <summary>Events with nested data, an extension attribute, numbers, numeric strings, booleans, nulls and
    /// objects where values are expected.</summary>
    private static IEnumerable<string> Traffic(int count)
    {
        var random = new Random(7);
        string[] tiers = ["\"gold\"", "\"silver\"", "\"bronze\"", "null", "7", "{\"x\":1}"];
        string[] amounts = ["12.5", "\"7.25\"", "3", "\"abc\"", "0.123456789", "null", "-3", "10", "\"10.0\""];
        string[] sources = ["/shop/eu/1", "/shop/us", "/other"];
        for (var i = 0; i < count; i++)
        {
            // Twenty days across a month, a year and an ISO week-numbering year's end (2026-W53 holds 1 January 2027).
            var time = new DateTimeOffset(2026, 12, 20, 0, 0, 0, TimeSpan.Zero).AddMinutes(random.Next(20 * 24 * 60));
            var timeText = time.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            var tenant = random.Next(4) switch
            {
                0 => "",
                1 => ",\"tenant\":\"acme\"",
                2 => ",\"tenant\":\"other\"",
                _ => ",\"tenant\":\"a|b\"",
            };
            var customer = random.Next(5) == 0 ? "" : $",\"customer\":{{\"tier\":{tiers[random.Next(tiers.Length)]}}}";
            var flag = random.Next(3) switch
            {
                0 => ",\"flag\":true",
                1 => ",\"flag\":false",
                _ => "",
            };
            var data =
                $"{{\"amount\":{amounts[random.Next(amounts.Length)]},\"count\":{random.Next(2, 5)}.0{customer}{flag}}}";
            yield return $"{{\"specversion\":\"1.0\",\"id\":\"e{i}\",\"source\":\"{sources[random.Next(sources.Length)]}\","
                + $"\"type\":\"order.placed\",\"time\":\"{timeText}\",\"subject\":\"user-{random.Next(40)}\"{tenant},\"data\":{data}}}";
        }
    }
}
