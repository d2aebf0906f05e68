using System.Text.Json;
using Pipeline.Domain.Views.Specs;

namespace Pipeline.Domain.Tests.Views.Specs;

public sealed class SpecEvaluatorTests
{
    private static readonly DateTimeOffset Enqueued = new(2026, 12, 2, 9, 30, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("minute", "2026-12-02T10:15:59Z", "2026-12-02T10:15")]
    [InlineData("hour", "2026-12-02T10:15:59Z", "2026-12-02T10")]
    [InlineData("day", "2026-12-02T23:59:59.999Z", "2026-12-02")]
    [InlineData("day", "2026-12-02T23:30:00-01:00", "2026-12-03")]
    [InlineData("week", "2026-12-02T10:00:00Z", "2026-W49")]
    [InlineData("week", "2027-01-01T10:00:00Z", "2026-W53")] // a Friday in the last ISO week of 2026
    [InlineData("week", "2024-12-30T00:00:00Z", "2025-W01")] // a Monday in the first ISO week of 2025
    [InlineData("month", "2026-12-31T23:59:59Z", "2026-12")]
    public void AWindow_KeysByEventTimeInUtc(string window, string time, string expected)
    {
        var evaluator = Evaluator($$"""{"window":"{{window}}","aggregates":[{"name":"n","op":"count"}]}""");

        Assert.Equal(expected, evaluator.KeyOf(Event($$"""{"time":"{{time}}"}"""), Enqueued));
    }

    [Fact]
    public void AnEventWithoutTime_IsKeyedByItsEnqueuedTime()
    {
        var evaluator = Evaluator("""{"window":"hour","aggregates":[{"name":"n","op":"count"}]}""");

        Assert.Equal("2026-12-02T09", evaluator.KeyOf(Event("""{"time":null}"""), Enqueued));
    }

    [Theory]
    [InlineData("""{"field":"data.tier","op":"eq","value":"gold"}""", """{"tier":"gold"}""", true)]
    [InlineData("""{"field":"data.tier","op":"eq","value":"gold"}""", """{}""", false)]
    [InlineData("""{"not":{"field":"data.tier","op":"eq","value":"gold"}}""", """{}""", true)]
    [InlineData("""{"field":"data.tier","op":"ne","value":"gold"}""", """{}""", false)]
    [InlineData("""{"field":"data.tier","op":"ne","value":"gold"}""", """{"tier":1}""", false)]
    [InlineData("""{"field":"data.tier","op":"ne","value":"gold"}""", """{"tier":"silver"}""", true)]
    [InlineData("""{"field":"data.n","op":"eq","value":1}""", """{"n":1.00}""", true)]
    [InlineData("""{"field":"data.n","op":"eq","value":1}""", """{"n":"1"}""", false)]
    [InlineData("""{"field":"data.n","op":"eq","value":true}""", """{"n":true}""", true)]
    [InlineData("""{"field":"data.n","op":"eq","value":true}""", """{"n":false}""", false)]
    [InlineData("""{"field":"data.n","op":"gt","value":10}""", """{"n":"10.00000001"}""", true)]
    [InlineData("""{"field":"data.n","op":"gt","value":10}""", """{"n":10}""", false)]
    [InlineData("""{"field":"data.n","op":"ge","value":10}""", """{"n":10}""", true)]
    [InlineData("""{"field":"data.n","op":"lt","value":0}""", """{"n":"-0.5"}""", true)]
    [InlineData("""{"field":"data.n","op":"le","value":0}""", """{"n":"abc"}""", false)]
    [InlineData("""{"not":{"field":"data.n","op":"le","value":0}}""", """{"n":"abc"}""", true)]
    [InlineData("""{"field":"data.c.tier","op":"in","value":["gold","silver"]}""", """{"c":{"tier":"silver"}}""", true)]
    [InlineData("""{"field":"data.c.tier","op":"in","value":["gold","silver"]}""", """{"c":"silver"}""", false)]
    [InlineData("""{"field":"data.c","op":"notIn","value":["gold"]}""", """{"c":"bronze"}""", true)]
    [InlineData("""{"field":"data.c","op":"notIn","value":["gold"]}""", """{}""", false)]
    [InlineData("""{"field":"data.c","op":"notIn","value":["gold"]}""", """{"c":{"a":1}}""", false)]
    [InlineData("""{"field":"data.page","op":"startsWith","value":"/docs/"}""", """{"page":"/docs/a"}""", true)]
    [InlineData("""{"field":"data.page","op":"startsWith","value":"/docs/"}""", """{"page":"/Docs/a"}""", false)]
    [InlineData("""{"field":"data.page","op":"exists"}""", """{"page":null}""", false)]
    [InlineData("""{"field":"data.page","op":"missing"}""", """{"page":null}""", true)]
    [InlineData("""{"field":"data.page","op":"missing"}""", """{"page":""}""", false)]
    [InlineData("""{"any":[]}""", """{}""", false)]
    [InlineData("""{"all":[]}""", """{}""", true)]
    public void ACondition_HoldsByTheContractsRules(string condition, string data, bool holds)
    {
        var evaluator = Evaluator(
            $$"""{"where":{{condition}},"window":"day","aggregates":[{"name":"n","op":"count"}]}"""
        );

        Assert.Equal(holds, evaluator.Add(Event($$"""{"data":{{data}}}"""), Enqueued));
    }

    [Fact]
    public void Attributes_AreFieldsByName_ExtensionsIncluded()
    {
        var evaluator = Evaluator(
            """
            {"where":{"all":[{"field":"source","op":"startsWith","value":"/shop"},{"field":"tenant","op":"eq","value":"acme"}]},
             "window":"day","by":["type","tenant"],"aggregates":[{"name":"n","op":"count"}]}
            """
        );

        Assert.True(evaluator.Add(Event("""{"source":"/shop/eu","tenant":"acme"}"""), Enqueued));
        Assert.False(evaluator.Add(Event("""{"source":"/shop/eu","tenant":"other"}"""), Enqueued));
        Assert.Equal(["2026-12-02|order.placed|acme"], evaluator.Keys.Keys);
    }

    [Fact]
    public void DimensionValues_RoundTripThroughTheKey_AndAnUnusableOneLeavesTheEventOut()
    {
        var evaluator = Evaluator(
            """{"window":"day","by":["data.a","data.b"],"aggregates":[{"name":"n","op":"count"}]}"""
        );
        var awkward = "x|y%7C/#?\u0001é";

        Assert.True(
            evaluator.Add(Event($$$"""{"data":{"a":{{{JsonSerializer.Serialize(awkward)}}},"b":2.50}}"""), Enqueued)
        );
        Assert.True(evaluator.Add(Event("""{"data":{"a":true,"b":"z"}}"""), Enqueued));
        Assert.False(evaluator.Add(Event("""{"data":{"a":"x"}}"""), Enqueued));
        Assert.False(evaluator.Add(Event("""{"data":{"a":"x","b":null}}"""), Enqueued));
        Assert.False(evaluator.Add(Event("""{"data":{"a":"x","b":{"c":1}}}"""), Enqueued));
        Assert.False(evaluator.Add(Event("""{"data":{"a":"x","b":[1]}}"""), Enqueued));

        var key = evaluator.Keys.Keys.Single(k => k.EndsWith("|2.50", StringComparison.Ordinal));
        var parts = key.Split('|');
        Assert.Equal(3, parts.Length);
        Assert.Equal(awkward, SpecWindows.UnescapeDimension(parts[1]));
        Assert.Contains("2026-12-02|true|z", evaluator.Keys.Keys);
    }

    [Fact]
    public void Aggregates_AreExact_SkipWhatTheyCannotUse_AndKeepTheirOwnConditions()
    {
        var evaluator = Evaluator(
            """
            {"window":"day","aggregates":[
              {"name":"events","op":"count"},
              {"name":"total","op":"sum","field":"data.amount"},
              {"name":"low","op":"min","field":"data.amount"},
              {"name":"high","op":"max","field":"data.amount"},
              {"name":"mean","op":"avg","field":"data.amount"},
              {"name":"buyers","op":"distinct","field":"subject"},
              {"name":"tiers","op":"approxDistinct","field":"data.tier"},
              {"name":"big","op":"count","where":{"field":"data.amount","op":"ge","value":100}}
            ]}
            """
        );
        string[] data =
        [
            """{"subject":"u1","data":{"amount":0.1,"tier":"gold"}}""",
            """{"subject":"u2","data":{"amount":"0.2","tier":1}}""",
            """{"subject":"u1","data":{"amount":100,"tier":"gold"}}""",
            """{"subject":"u3","data":{"amount":"abc","tier":{"x":1}}}""",
            """{"subject":"u3","data":{"amount":1e19}}""",
            """{"subject":"u3","data":{"amount":0.123456789}}""",
            """{"data":{"amount":null}}""",
        ];
        foreach (var json in data)
        {
            evaluator.Add(Event(json), Enqueued);
        }

        var totals = evaluator.Keys["2026-12-02"];
        var byName = totals.Aggregates.ToDictionary(a => a.Aggregate.Name);
        Assert.Equal(7, totals.Events);
        Assert.Equal(7m, byName["events"].Value);
        Assert.Equal(100.3m, byName["total"].Value);
        Assert.Equal(3, byName["total"].Skipped);
        Assert.Equal(0.1m, byName["low"].Value);
        Assert.Equal(100m, byName["high"].Value);
        Assert.Equal(33.43333333m, byName["mean"].Value);
        Assert.Equal(3m, byName["buyers"].Value);
        Assert.Equal(2m, byName["tiers"].Value);
        Assert.Equal(1, byName["tiers"].Skipped);
        Assert.Equal(1m, byName["big"].Value);
    }

    [Theory]
    [InlineData("0.00000001", "0.00000002", "0.00000002")] // 0.000000015: half to even, up
    [InlineData("0.00000001", "0.00000004", "0.00000002")] // 0.000000025: half to even, down
    [InlineData("1", "2", "1.5")]
    public void Avg_RoundsHalfEvenAtEightPlaces(string first, string second, string expected)
    {
        var evaluator = Evaluator("""{"window":"day","aggregates":[{"name":"mean","op":"avg","field":"data.x"}]}""");
        evaluator.Add(Event($$$"""{"data":{"x":{{{first}}}}}"""), Enqueued);
        evaluator.Add(Event($$$"""{"data":{"x":"{{{second}}}"}}"""), Enqueued);

        Assert.Equal(
            decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture),
            evaluator.Keys.Values.Single().Aggregates[0].Value
        );
    }

    [Fact]
    public void MinMaxAndAvgOfNoValues_HaveNoValue()
    {
        var evaluator = Evaluator(
            """{"window":"day","aggregates":[{"name":"n","op":"count"},{"name":"low","op":"min","field":"data.x"},{"name":"mean","op":"avg","field":"data.x"}]}"""
        );
        evaluator.Add(Event("""{"data":{"x":"none"}}"""), Enqueued);

        var aggregates = evaluator.Keys.Values.Single().Aggregates;
        Assert.Null(aggregates[1].Value);
        Assert.Null(aggregates[2].Value);
        Assert.Equal(1, aggregates[2].Skipped);
    }

    private static SpecEvaluator Evaluator(string partial)
    {
        var json = partial.Insert(1, """ "name":"t","version":1, """);
        var reading = ViewSpecReader.Read(json);
        Assert.True(reading.IsValid, string.Join("\n", reading.Problems));
        return new SpecEvaluator(reading.Spec!);
    }

    private static JsonElement Event(string partial)
    {
        using var document = JsonDocument.Parse(partial);
        var envelope = new Dictionary<string, JsonElement>
        {
            ["specversion"] = JsonSerializer.SerializeToElement("1.0"),
            ["id"] = JsonSerializer.SerializeToElement("e1"),
            ["source"] = JsonSerializer.SerializeToElement("/test"),
            ["type"] = JsonSerializer.SerializeToElement("order.placed"),
            ["time"] = JsonSerializer.SerializeToElement("2026-12-02T10:00:00Z"),
        };
        foreach (var property in document.RootElement.EnumerateObject())
        {
            envelope[property.Name] = property.Value.Clone();
        }

        // "time": null stands for an event without time.
        if (envelope["time"].ValueKind == JsonValueKind.Null)
        {
            envelope.Remove("time");
        }

        return JsonSerializer.SerializeToElement(envelope);
    }
}
