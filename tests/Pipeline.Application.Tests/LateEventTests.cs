using System.Text;
using Azure.Data.Tables;
using Pipeline.Application.Batch;
using Pipeline.Application.Ingest;
using Pipeline.Application.Storage;
using Pipeline.Domain.Views;
using Pipeline.Testing;

namespace Pipeline.Application.Tests;

/// <summary>
/// An incremental run writes only the days its new events touched: a late event rewrites its own day, the other
/// days keep serving the copies earlier runs wrote, and every answer equals a full run's.
/// </summary>
[Collection(UsesBatchAzurite.Name)]
public class LateEventTests(AzuriteFixture azurite)
{
    private static readonly ViewDefinition[] Views = [BuiltInViews.NewUsers, BuiltInViews.ActiveUsers];

    /// <summary>Epoch 0: signups on days 0 to 3; epoch 1: one more on day 3; epoch 2: a late one into day 0;
    /// epoch 3: one on day 3 (which seals epoch 2).</summary>
    private static readonly IncomingEvent[][] History =
    [
        [.. Enumerable.Range(0, 40).Select(i => Signup(i, day: i % 4, subject: $"u{i % 13}", epoch: 0))],
        [Signup(40, day: 3, subject: "u40", epoch: 1)],
        [Signup(41, day: 0, subject: "u-late", epoch: 2)],
        [Signup(42, day: 3, subject: "u42", epoch: 3)],
    ];

    private static IncomingEvent Signup(long sequence, int day, string subject, int epoch) =>
        PipelineContext.Signup($"e{sequence}", subject, day, sequence, (epoch * 10) + (sequence * 0.01));

    [Fact]
    public async Task ALateEventIntoAnOldDay_RewritesOnlyThatDay_AndEveryAnswerEqualsAFullRun()
    {
        // The stepwise runs write each day on its own (one key at most held), the whole run all days at once.
        await using var stepwise = await PipelineContext.CreateAsync(
            azurite,
            epoch: TimeSpan.FromSeconds(10),
            settings: new Dictionary<string, string?> { ["Pipeline:BatchWriteKeys"] = "1" }
        );
        var handler = stepwise.NewHandler();
        foreach (var events in History[..2])
        {
            await handler.IngestAsync(new IngestBatch(0, events));
        }

        foreach (var view in Views)
        {
            await BatchRuns.RecomputeAsync(stepwise, view);
        }

        var first = (await stepwise.Pointers.GetAsync(BuiltInViews.NewUsers.Id))!.Cutoff;
        foreach (var events in History[2..])
        {
            await handler.IngestAsync(new IngestBatch(0, events));
        }

        foreach (var view in Views)
        {
            await BatchRuns.RecomputeAsync(stepwise, view);
        }

        var second = (await stepwise.Pointers.GetAsync(BuiltInViews.NewUsers.Id))!.Cutoff;
        Assert.True(second > first);

        // The second run read epochs 1 and 2: day 3's signup and the late one of day 0. Days 1 and 2 stay as written.
        foreach (var view in Views)
        {
            Assert.Equal([Day(0), Day(3)], await DaysWrittenAtAsync(stepwise, view, second));
            var served = await ServedDays.OfAsync(stepwise.Store, (await stepwise.Pointers.GetAsync(view.Id))!);
            Assert.Equal([second, first, first, second], served.Days.OrderBy(d => d.Key).Select(d => d.Value.Cutoff));
        }

        await using var whole = await PipelineContext.CreateAsync(azurite, epoch: TimeSpan.FromSeconds(10));
        var wholeHandler = whole.NewHandler();
        foreach (var events in History)
        {
            await wholeHandler.IngestAsync(new IngestBatch(0, events));
        }

        foreach (var view in Views)
        {
            await BatchRuns.RecomputeAsync(whole, view, cutoff: second);
        }

        await AssertSameAnswersAsync(whole, stepwise);
        Assert.Equal((11m, 11L), await stepwise.AnswerAsync(BuiltInViews.NewUsers, PipelineContext.Day(0)));

        // Once the grace has passed, only the copies of days 0 and 3 that the second run replaced go; the answers stay.
        var cleanup = new SupersededBatchData(stepwise.Store, stepwise.Pointers);
        foreach (var view in Views)
        {
            var deleted = await cleanup.DeleteAsync(view, TimeSpan.Zero, stepwise.Time.GetUtcNow().AddMinutes(1));
            Assert.True(deleted.BatchRows > 0);
            Assert.Equal([Day(1), Day(2)], await DaysWrittenAtAsync(stepwise, view, first));
        }

        await AssertSameAnswersAsync(whole, stepwise.OtherProcess());
    }

    private static DateTime Day(int day) => new(2026, 11, 18 + day, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>The days whose rows are kept under the cutoff.</summary>
    private static async Task<List<DateTime>> DaysWrittenAtAsync(
        PipelineContext context,
        ViewDefinition view,
        long cutoff
    )
    {
        var prefix = StorageLayout.Batch.CutoffPrefix(view.Id, cutoff);
        return
        [
            .. (await context.Store.Batch.QueryAsync<TableEntity>(select: ["PartitionKey"]).ToListAsync())
                .Select(r => r.PartitionKey)
                .Where(pk => pk.StartsWith(prefix, StringComparison.Ordinal))
                .Distinct()
                .Select(pk => DateTime.SpecifyKind(DateTime.Parse(pk[prefix.Length..], null), DateTimeKind.Utc))
                .Order(),
        ];
    }

    /// <summary>Every key of both views, one by one and as one range of the four days.</summary>
    private static async Task AssertSameAnswersAsync(PipelineContext expected, PipelineContext actual)
    {
        foreach (var view in Views)
        {
            for (var day = 0; day < 4; day++)
            {
                Assert.Equal(
                    await expected.AnswerAsync(view, PipelineContext.Day(day)),
                    await actual.AnswerAsync(view, PipelineContext.Day(day))
                );
            }

            Assert.True(view.TryParseKey(PipelineContext.Day(0), out var from, out _));
            Assert.True(view.TryParseKey(PipelineContext.Day(3), out var to, out _));
            var wanted = await expected.Queries.QueryRangeAsync(view, from, to);
            var got = await actual.Queries.QueryRangeAsync(view, from, to);
            Assert.Equal(4, got.Count);
            Assert.Equal(
                wanted.Select(a => (a.Key.Format(view.Window), a.Result.Value, a.Events)),
                got.Select(a => (a.Key.Format(view.Window), a.Result.Value, a.Events))
            );
        }
    }
}
