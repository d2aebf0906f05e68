using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Application.Audit;
using Pipeline.Application.Ingest;
using Pipeline.Application.Quarantine;
using Pipeline.Domain.Views;
using Pipeline.Testing;

namespace Pipeline.Application.Tests;

/// <summary>What a new user found: sums that depended on the layer, and bytes that merged different keys.</summary>
[Collection(UsesAzurite.Name)]
public class IngestValidationTests(AzuriteFixture azurite)
{
    private static IncomingEvent Order(string id, string amount, long sequence, int epochOffset) =>
        new(
            Encoding.UTF8.GetBytes(
                PipelineContext.Event(id, "order.placed", $"u{id}", 0, $$"""{"amount":{{amount}}}""")
            ),
            sequence,
            PipelineContext.Start.AddSeconds((epochOffset * 10) + (sequence * 0.001))
        );

    [Fact]
    public async Task AmountsThatCannotBeSummedExactly_AreKeptAndSkippedBySums_AndBatchSpeedAndAuditAgree()
    {
        await using var context = await PipelineContext.CreateAsync(azurite, epoch: TimeSpan.FromSeconds(10));
        var handler = context.NewHandler();
        var day = PipelineContext.Day(0);

        // The reported case: a huge order, then a thousand of 10^-11 in a later epoch, then values no sum can hold.
        await handler.IngestAsync(new IngestBatch(0, [Order("big", "999999999999999999.99", 0, 0)]));
        var result = await handler.IngestAsync(
            new IngestBatch(
                0,
                [
                    .. Enumerable.Range(1, 1000).Select(i => Order($"tiny{i}", "0.00000000001", i, 1)),
                    Order("huge", "1e400", 1001, 1),
                    Order("nan", "\"NaN\"", 1002, 1),
                    Order("cent", "0.01", 1003, 1),
                ]
            )
        );
        await handler.IngestAsync(new IngestBatch(0, [Order("late", "1", 1004, 2)]));

        // Validity for a view is no reason to refuse an event: every one is kept in the raw log and counted by
        // the views that can use it (active-users), and the sum skips the values it cannot use exactly.
        Assert.Equal((1003, 0), (result.Accepted, result.Quarantined));
        Assert.Equal(1_000_000_000_000_000_001m, await context.ValueAsync(BuiltInViews.Revenue, day));
        Assert.Equal(1005m, await context.ValueAsync(BuiltInViews.ActiveUsers, day));
        Assert.Empty((await context.Get<QuarantineReader>().ListAsync(null, 10)).Items);
        var fromSpeed = Assert.Single((await context.Queries.QueryKeyAsync(BuiltInViews.Revenue, Key(day))).Parts!);
        Assert.Equal(("revenue", 1002L), (fromSpeed.Name, fromSpeed.Skipped)); // a thousand too fine, 1e400, "NaN"

        await BatchRuns.RecomputeAsync(context, BuiltInViews.Revenue);
        var answer = await context.Queries.QueryKeyAsync(BuiltInViews.Revenue, Key(day));
        Assert.True(answer.Provenance.BatchCutoffEpoch is not null);
        Assert.Equal(1_000_000_000_000_000_001m, answer.Result.Value);
        Assert.Equal(1002, Assert.Single(answer.Parts!).Skipped);
        var audit = await (await context.EngineAsync())
            .Services.GetRequiredService<AuditService>()
            .RunAsync(new AuditRequest("revenue", 1, null, null, null, "exact"));
        Assert.True(audit.Clean, string.Join("; ", audit.Mismatches));
    }

    [Fact]
    public async Task SubjectsThatAreNotUtf8_AreQuarantined_NotMergedIntoOneKey()
    {
        await using var context = await PipelineContext.CreateAsync(azurite);
        byte[] Signup(string id, byte bad) =>
            [
                .. Encoding.UTF8.GetBytes(
                    $$"""{"specversion":"1.0","id":"{{id}}","source":"/t","type":"user.signup","time":"2026-11-18T10:00:00Z","subject":"user-"""
                ),
                bad,
                .. "\"}"u8,
            ];

        var result = await context
            .NewHandler()
            .IngestAsync(
                new IngestBatch(
                    0,
                    [
                        new IncomingEvent(Signup("a", 0xFF), 0, PipelineContext.Start),
                        new IncomingEvent(Signup("b", 0xFE), 1, PipelineContext.Start),
                        new IncomingEvent(
                            Encoding.UTF8.GetBytes(PipelineContext.Event("c", "user.signup", "user-ok", 0)),
                            2,
                            PipelineContext.Start
                        ),
                    ]
                )
            );

        Assert.Equal((1, 2), (result.Accepted, result.Quarantined));
        Assert.Equal(1m, await context.ValueAsync(BuiltInViews.ActiveUsers, PipelineContext.Day(0)));
        var entries = (await context.Get<QuarantineReader>().ListAsync(null, 10)).Items;
        Assert.All(entries, q => Assert.Equal("InvalidUtf8", q.Reason));

        // Not text, so the payload is given once, as base64, byte for byte; the entry by id has it whole.
        Assert.All(entries, q => Assert.Null(q.Body));
        Assert.Equal(Signup("a", 0xFF), Convert.FromBase64String(entries[0].BodyBase64!));
        Assert.Equal(entries[0], (await context.Get<QuarantineReader>().GetAsync(entries[0].Id)).Result);
    }

    [Fact]
    public async Task LargeQuarantinedPayloads_AreTruncatedInListings_AndWholeById()
    {
        await using var context = await PipelineContext.CreateAsync(azurite);
        var large = "{\"junk\":\"" + new string('x', 500_000) + "\"";
        await context
            .NewHandler()
            .IngestAsync(new IngestBatch(3, PipelineContext.Incoming(Enumerable.Repeat(large, 5), first: 10)));

        var page = await context.Get<QuarantineReader>().ListAsync(null, 200);
        var whole = (await context.Get<QuarantineReader>().GetAsync("3-12")).Value;

        Assert.Equal(5, page.Items.Count);
        Assert.All(
            page.Items,
            q =>
                Assert.True(
                    q.Truncated && q.Body!.Length == QuarantineReader.ListedPayloadBytes && q.BodyBytes == large.Length
                )
        );
        Assert.True(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(page, ApiJson.Options).Length < 64 * 1024);
        Assert.Equal((large, false), (whole!.Body, whole.Truncated));
        Assert.Equal(Outcomes.OutcomeKind.NotFound, (await context.Get<QuarantineReader>().GetAsync("3-99")).Kind);
        Assert.Equal(Outcomes.OutcomeKind.NotFound, (await context.Get<QuarantineReader>().GetAsync("../x")).Kind);
    }

    private static ViewKey Key(string day) =>
        BuiltInViews.Revenue.TryParseKey(day, out var key, out _) ? key : throw new InvalidOperationException();
}
