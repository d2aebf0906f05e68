using System.Globalization;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
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

    private const string RegionalOrders = """
        {"name":"regional-orders","version":1,
         "where":{"field":"type","op":"eq","value":"order.placed"},
         "window":"week","by":["data.region","subject"],
         "aggregates":[{"name":"orders","op":"count"},
                       {"name":"revenue","op":"sum","field":"data.amount"},
                       {"name":"buyers","op":"distinct","field":"subject"},
                       {"name":"largest","op":"max","field":"data.amount"},
                       {"name":"average","op":"avg","field":"data.amount"},
                       {"name":"big","op":"count","where":{"field":"data.amount","op":"ge","value":10}}]}
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
    [InlineData(RegionalOrders, "2026-W50", "2027-W03", "2026-W53|a%7Cb|c")]
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

        // One aggregate: its value and the events it used. Several: the view's events and each aggregate's value and
        // skipped values.
        var several = spec.Aggregates.Count > 1;
        List<string> Expected(ViewSpec of)
        {
            var evaluator = new SpecEvaluator(of);
            foreach (var body in bodies)
            {
                using var document = JsonDocument.Parse(body);
                evaluator.Add(document.RootElement, PipelineContext.Start);
            }

            return
            [
                .. evaluator
                    .Keys.Where(k => several || k.Value.Aggregates[0].Used > 0)
                    .OrderBy(k => k.Key, StringComparer.Ordinal)
                    .Select(k =>
                        several
                            ? $"{k.Key} {k.Value.Events} "
                                + string.Join(
                                    " ",
                                    k.Value.Aggregates.Select(a => $"{a.Aggregate.Name}={Exact(a.Value)}/{a.Skipped}")
                                )
                            : $"{k.Key} {Exact(k.Value.Aggregates[0].Value)} {k.Value.Aggregates[0].Used}"
                    ),
            ];
        }

        var expected = Expected(spec);
        Assert.True(!several || expected.Any(e => e.Contains("/1", StringComparison.Ordinal)), "no value skipped");
        Assert.Contains(expected, k => k.StartsWith(someKey, StringComparison.Ordinal));

        async Task<List<string>> AnswersAsync(Domain.Views.ViewDefinition of)
        {
            Assert.True(of.TryParseRangeEnd(rangeFrom, out var from, out _));
            Assert.True(of.TryParseRangeEnd(rangeTo, out var to, out _));
            var answers = await context.Queries.QueryRangeAsync(of, from, to);
            return
            [
                .. answers
                    .Select(a =>
                        several && a.Parts is { } parts
                            ? $"{a.Key.Format(of.Window)} {a.Events} "
                                + string.Join(" ", parts.Select(p => $"{p.Name}={Exact(p.Result.Value)}/{p.Skipped}"))
                            : $"{a.Key.Format(of.Window)} {Exact(a.Result.Value)} {a.Events}"
                    )
                    .Order(StringComparer.Ordinal),
            ];
        }

        Assert.Equal(expected, await AnswersAsync(view));

        context.Time.SetUtcNow(PipelineContext.Start.AddMinutes(20));
        var recompute = await BatchRuns.RecomputeAsync(context, view);
        Assert.Equal(OperationState.Completed, recompute.State);
        Assert.Equal(expected, await AnswersAsync(view));
        Assert.True(view.TryParseKey(expected[^1].Split(' ')[0], out var key, out _));
        Assert.True((await context.Queries.QueryKeyAsync(view, key)).Provenance.CoveredByBatch);
        if (several)
        {
            // A second version (an aggregate more, big orders from 10) is registered, replayed from the log beside
            // v1, answers by its own spec, takes every reader, and gives them back, with no restart.
            var json2 = json.Replace("\"version\":1", "\"version\":2", StringComparison.Ordinal)
                .Replace("\"value\":10}", "\"value\":5}", StringComparison.Ordinal)
                .Replace(
                    "]}",
                    ",{\"name\":\"smallest\",\"op\":\"min\",\"field\":\"data.amount\"}]}",
                    StringComparison.Ordinal
                );
            var spec2 = ViewSpecReader.Read(json2).Spec!;
            Assert.Equal(
                Outcomes.OutcomeKind.Created,
                (await specs.RegisterAsync(spec.Name, 2, Encoding.UTF8.GetBytes(json2))).Kind
            );
            var view2 = await specs.RequireAsync(spec2.Id);
            context.Time.SetUtcNow(PipelineContext.Start.AddMinutes(21)); // the registration's epoch is sealed
            Assert.Equal(OperationState.Completed, (await BatchRuns.RecomputeAsync(context, view2, full: true)).State);
            var expected2 = Expected(spec2);
            Assert.NotEqual(expected, expected2);
            Assert.Equal(expected2, await AnswersAsync(view2));
            var routing = context.Get<RoutingService>();
            var moved = await routing.ChangeAsync(spec.Name, new Dictionary<int, int> { [2] = 100 }, null);
            Assert.True(moved.Succeeded, string.Join("; ", moved.Problems));
            Assert.Equal(2, (await routing.ResolveAsync(spec.Name, null, "alice")).Result.Version);
            Assert.True((await routing.ChangeAsync(spec.Name, new Dictionary<int, int> { [1] = 100 }, null)).Succeeded);
            Assert.Equal(1, (await routing.ResolveAsync(spec.Name, null, "alice")).Result.Version);

            await AuditsEachAggregateAsync(context, spec);
        }
    }

    [Fact]
    public async Task AKeyWhoseStateOutgrowsOneProperty_IsKeptOverSeveral_InSpeedAndBatch_AndAnswersAlike()
    {
        const string json = """
            {"name":"fine-sketches","version":1,"window":"day","aggregates":[
              {"name":"events","op":"count"},
              {"name":"ids","op":"approxDistinct","field":"id","precision":18},
              {"name":"idsAgain","op":"approxDistinct","field":"id","precision":17}]}
            """;
        await using var context = await PipelineContext.CreateAsync(azurite, epoch: TimeSpan.FromSeconds(10));
        var specs = context.Get<SpecRegistry>();
        await specs.RegisterShippedAsync(ShippedSpecs.All);
        await specs.RegisterAsync("fine-sketches", 1, Encoding.UTF8.GetBytes(json));
        var view = await specs.RequireAsync(new Domain.Views.ViewVersion("fine-sketches", 1));
        // One epoch, one key: a state of two fine sketches of 40,000 ids, beyond one 64 KiB property.
        IncomingEvent[] events =
        [
            .. Enumerable
                .Range(0, 40_000)
                .Select(n => Order(n, new DateTime(2026, 12, 14, 0, 0, 0, DateTimeKind.Utc).AddSeconds(n), "eu", "1"))
                .Select((body, n) => new IncomingEvent(Encoding.UTF8.GetBytes(body), n, PipelineContext.Start)),
        ];
        await context.NewHandler().IngestAsync(new IngestBatch(0, events));
        Assert.True(view.TryParseKey("2026-12-14", out var key, out _));

        var speedRows = await context
            .Store.Speed.QueryAsync<TableEntity>()
            .Where(r => r.PartitionKey.StartsWith("fine-sketches@1.", StringComparison.Ordinal))
            .ToListAsync();
        Assert.Contains(speedRows, r => r.GetBinary("State1") is not null);
        var fromSpeed = await context.Queries.QueryKeyAsync(view, key);

        context.Time.SetUtcNow(PipelineContext.Start.AddMinutes(20));
        Assert.Equal(OperationState.Completed, (await BatchRuns.RecomputeAsync(context, view)).State);
        var fromBatch = await context.Queries.QueryKeyAsync(view, key);

        Assert.True(fromBatch.Provenance.CoveredByBatch);
        Assert.Equal(40_000, fromBatch.Events);
        Assert.Equal(
            fromSpeed.Parts!.Select(p => (p.Name, p.Result.Value)),
            fromBatch.Parts!.Select(p => (p.Name, p.Result.Value))
        );
        Assert.Equal(40_000m, fromBatch.Parts![0].Result.Value);
        Assert.All(fromBatch.Parts.Skip(1), p => Assert.InRange(p.Result.Value!.Value, 39_000m, 41_000m));
    }

    /// <summary>An audit of a view of several aggregates is clean; after a batch row takes another key's state, it
    /// names the key and each aggregate that differs.</summary>
    private static async Task AuditsEachAggregateAsync(PipelineContext context, ViewSpec spec)
    {
        var auditor = (await context.EngineAsync()).Services.GetRequiredService<Audit.AuditService>();
        var clean = await auditor.RunAsync(new Audit.AuditRequest(spec.Name, 1, null, null, null, "clean"));
        Assert.True(clean.Clean, string.Join("; ", clean.Mismatches));

        var rows = await context
            .Store.Batch.QueryAsync<TableEntity>()
            .Where(r => r.PartitionKey.StartsWith($"{spec.Name}@1.", StringComparison.Ordinal))
            .ToListAsync();
        var (damaged, other) = (rows[0], rows.First(r => r.GetInt64("Events") != rows[0].GetInt64("Events")));
        damaged["State"] = other.GetBinary("State");
        await context.Store.Batch.UpsertEntityAsync(damaged, TableUpdateMode.Replace);

        var report = await auditor.RunAsync(new Audit.AuditRequest(spec.Name, 1, null, null, null, "damaged"));
        Assert.False(report.Clean);
        var batch = report.Mismatches.Where(m => m.Kind == "batch").ToList();
        Assert.All(batch, m => Assert.Equal(damaged.GetString("Key"), m.Key));
        Assert.Contains(batch, m => m.Aggregate == "orders");
        Assert.All(batch, m => Assert.NotEqual(m.FromLog, m.Found));
    }
}
