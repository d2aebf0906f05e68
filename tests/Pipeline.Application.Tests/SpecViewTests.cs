using System.Globalization;
using System.Text;
using System.Text.Json;
using Pipeline.Application.Ingest;
using Pipeline.Application.Operations;
using Pipeline.Application.Versions;
using Pipeline.Domain.Views.Specs;
using Pipeline.Testing;

namespace Pipeline.Application.Tests;

/// <summary>
/// A view a user declares and registers while the pipeline runs answers as the spec contract's evaluator does,
/// from the speed layer and after a recompute by the batch layer (whose engine runs in another process's
/// services and learns the view from the registry in storage).
/// </summary>
[Collection(UsesAzurite.Name)]
public class SpecViewTests(AzuriteFixture azurite)
{
    private const string WeeklyRevenue = """
        {"name":"weekly-revenue","version":1,
         "where":{"all":[{"field":"type","op":"eq","value":"order.placed"},{"field":"data.amount","op":"gt","value":0}]},
         "window":"week","by":["data.region"],
         "aggregates":[{"name":"revenue","op":"sum","field":"data.amount"}]}
        """;

    private const string MonthlyBuyers = """
        {"name":"monthly-buyers","version":1,
         "where":{"field":"type","op":"eq","value":"order.placed"},
         "window":"month","by":["data.region","subject"],
         "aggregates":[{"name":"orders","op":"count"}]}
        """;

    private static string Order(int n, DateTime time, string region, string amount) =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"{{\"specversion\":\"1.0\",\"id\":\"o{n}\",\"source\":\"/shop\",\"type\":\"order.placed\","
                + $"\"subject\":\"c{n % 9}\",\"time\":\"{time:yyyy-MM-dd'T'HH:mm:ss'Z'}\","
                + $"\"data\":{{\"region\":\"{region}\",\"amount\":{amount}}}}}"
        );

    /// <summary>A decimal by its value (12.50 and 12.5 alike).</summary>
    private static string? Exact(decimal? value) =>
        value?.ToString("0.############################", CultureInfo.InvariantCulture);

    [Theory]
    [InlineData(WeeklyRevenue, "2026-W50", "2027-W03", "2026-W53|a|b ")]
    [InlineData(MonthlyBuyers, "2026-11", "2027-02", "2027-01|a%7Cb|c")]
    public async Task AViewRegisteredAsASpec_AnswersAsItsEvaluator_FromSpeedAndAfterARecompute(
        string json,
        string rangeFrom,
        string rangeTo,
        string someKey
    )
    {
        var spec = ViewSpecReader.Read(json).Spec!;
        await using var context = await PipelineContext.CreateAsync(azurite, epoch: TimeSpan.FromSeconds(10));
        var specs = context.Get<SpecRegistry>();
        await specs.RegisterShippedAsync(ShippedSpecs.All);
        Assert.Equal(
            Outcomes.OutcomeKind.Created,
            (await specs.RegisterAsync(spec.Name, 1, Encoding.UTF8.GetBytes(json))).Kind
        );
        var view = await specs.RequireAsync(spec.Id);

        // Orders over the turn of the year (ISO weeks 2026-W51 to 2027-W01), in three regions, with amounts skipped.
        string[] regions = ["eu", "us", "a|b"];
        string[] amounts = ["12.5", "\"7.25\"", "3", "-4", "\"abc\"", "0.1"];
        var bodies = Enumerable
            .Range(0, 600)
            .Select(n =>
                Order(
                    n,
                    new DateTime(2026, 12, 14, 0, 0, 0, DateTimeKind.Utc).AddHours(n * 0.9),
                    regions[n % 3],
                    amounts[n % 6]
                )
            )
            .ToList();
        var handler = context.NewHandler();
        await handler.IngestAsync(new IngestBatch(0, PipelineContext.Incoming(bodies.Take(400))));
        context.Time.SetUtcNow(PipelineContext.Start.AddSeconds(400));
        await handler.IngestAsync(new IngestBatch(0, PipelineContext.Incoming(bodies.Skip(400), first: 400)));

        var evaluator = new SpecEvaluator(spec);
        foreach (var body in bodies)
        {
            using var document = JsonDocument.Parse(body);
            evaluator.Add(document.RootElement, PipelineContext.Start);
        }

        var expected = evaluator
            .Keys.Where(k => k.Value.Aggregates[0].Used > 0)
            .OrderBy(k => k.Key, StringComparer.Ordinal)
            .Select(k => $"{k.Key} {Exact(k.Value.Aggregates[0].Value)} {k.Value.Aggregates[0].Used}")
            .ToList();
        Assert.Contains(expected, k => k.StartsWith(someKey, StringComparison.Ordinal));

        async Task<List<string>> AnswersAsync()
        {
            Assert.True(view.TryParseRangeEnd(rangeFrom, out var from, out _));
            Assert.True(view.TryParseRangeEnd(rangeTo, out var to, out _));
            var answers = await context.Queries.QueryRangeAsync(view, from, to);
            return
            [
                .. answers
                    .Select(a => $"{a.Key.Format(view.Window)} {Exact(a.Result.Value)} {a.Events}")
                    .Order(StringComparer.Ordinal),
            ];
        }

        Assert.Equal(expected, await AnswersAsync());

        context.Time.SetUtcNow(PipelineContext.Start.AddMinutes(20));
        var recompute = await BatchRuns.RecomputeAsync(context, view);
        Assert.Equal(OperationState.Completed, recompute.State);
        Assert.Equal(expected, await AnswersAsync());
        Assert.True(view.TryParseKey(expected[^1].Split(' ')[0], out var key, out _));
        Assert.True((await context.Queries.QueryKeyAsync(view, key)).Provenance.CoveredByBatch);
    }
}
