using FsCheck;
using FsCheck.Fluent;
using Pipeline.Domain.Aggregations;
using Pipeline.Domain.Epochs;
using Pipeline.Domain.Events;
using Pipeline.Domain.Views;

namespace Pipeline.Domain.Tests.Properties;

public class BatchSpeedMergeProperties
{
    private const int Cases = 300;

    private static readonly ViewDefinition[] Views =
    [
        .. BuiltInViews.All,
        ViewDefinition
            .Named("largest-order", 1)
            .Where(EventFilter.OfType("order.placed"))
            .Per(TimeWindow.Day)
            .Aggregate(Aggregation.Max(EventField.Data("amount"))),
        ViewDefinition
            .Named("smallest-order", 1)
            .Where(EventFilter.OfType("order.placed"))
            .Per(TimeWindow.Hour)
            .Aggregate(Aggregation.Min(EventField.Data("amount"))),
        ViewDefinition
            .Named("users-sketch", 1)
            .Per(TimeWindow.Day)
            .Aggregate(Aggregation.HyperLogLog(EventField.Subject, precision: 10)),
    ];

    private static readonly int SketchView = Views.Length - 1;

    private static Gen<EventSpec> EventSpecs =>
        from type in Gen.Choose(0, 2)
        from user in Gen.Choose(0, 40)
        from day in Gen.Choose(0, 3)
        from hour in Gen.Choose(0, 23)
        from cents in Gen.Choose(-500, 1_000_000)
        from page in Gen.Choose(0, 3)
        from timed in Gen.Choose(0, 9)
        select new EventSpec(type, user, day, hour, cents, page, timed != 0);

    private static Gen<Scenario> Scenarios =>
        from events in Gen.NonEmptyListOf(EventSpecs)
        from retries in Gen.ListOf(Gen.Zip(Gen.Choose(0, 1000), Gen.Choose(0, 200)))
        from partitions in Gen.Choose(1, 4)
        from epochSeconds in Gen.Choose(1, 30)
        from cutoff in Gen.Choose(0, 100)
        from choices in Gen.ArrayOf(Gen.Choose(0, 1000))
        select new Scenario([.. events], [.. retries], partitions, epochSeconds, cutoff, choices);

    private static void Check(Func<Scenario, bool> property) =>
        FsCheck.Check.One(
            Config.QuickThrowOnFailure.WithMaxTest(Cases),
            Prop.ForAll(Scenarios.ToArbitrary(), property)
        );

    [Fact]
    public void BatchMergedWithSpeed_EqualsOneFoldOverDeduplicatedEvents()
    {
        Check(scenario =>
        {
            var model = new LambdaModel(scenario, Views);
            for (var view = 0; view < Views.Length; view++)
            {
                var truth = model.Truth(view);
                var batch = model.Batch(view);
                var keys = truth.Partials.Keys.Union(batch.Partials.Keys).Union(model.SpeedKeys(view));
                foreach (var key in keys)
                {
                    var answer = ServingMerge.Merge(
                        Views[view],
                        key,
                        new BatchContribution(1, model.Cutoff, batch.Partials.GetValueOrDefault(key)),
                        model.Speed(view, key)
                    );
                    var expected = truth.Partials.GetValueOrDefault(key) ?? ViewPartial.Zero(Views[view]);
                    if (
                        answer.Result != expected.State.Result
                        || answer.Events != expected.Events
                        || answer.Provenance.EventsTimedByEnqueue != expected.EventsTimedByEnqueue
                    )
                    {
                        throw new InvalidOperationException(
                            $"{Views[view].Name} {key.Format(Views[view].Window)} cutoff {model.Cutoff}: got "
                                + $"{answer.Result} from {answer.Events} events, expected {expected.State.Result} "
                                + $"from {expected.Events}"
                        );
                    }
                }
            }

            return true;
        });
    }

    [Fact]
    public void DistinctCountThroughSketches_StaysWithinErrorBounds()
    {
        Check(scenario =>
        {
            var model = new LambdaModel(scenario, Views);
            var exact = model.Truth(Array.IndexOf(Views, BuiltInViews.ActiveUsers));
            var batch = model.Batch(SketchView);
            foreach (var (key, partial) in exact.Partials)
            {
                var answer = ServingMerge.Merge(
                    Views[SketchView],
                    key,
                    new BatchContribution(1, model.Cutoff, batch.Partials.GetValueOrDefault(key)),
                    model.Speed(SketchView, key)
                );
                var distinct = (double)partial.State.Result.Value!.Value;
                var error = Math.Abs((double)answer.Result.Value!.Value - distinct);
                if (
                    !answer.Provenance.Approximate
                    || error > Math.Max(1, 4 * HyperLogLog.StandardErrorFor(10) * distinct)
                )
                {
                    throw new InvalidOperationException(
                        $"{key.Format(TimeWindow.Day)}: estimate {answer.Result.Value} for {distinct} distinct subjects"
                    );
                }
            }

            return true;
        });
    }

    [Fact]
    public void SpeedDataBelowTheCutoff_IsNeverCountedAgain()
    {
        Check(scenario =>
        {
            var model = new LambdaModel(scenario, Views);
            var view = Array.IndexOf(Views, BuiltInViews.NewUsers);
            var batch = model.Batch(view);
            foreach (var key in model.SpeedKeys(view).Distinct())
            {
                var speedOnly = model.Speed(view, key).Where(s => s.Epoch >= model.Cutoff).Sum(s => s.Partial.Events);
                var answer = ServingMerge.Merge(
                    Views[view],
                    key,
                    new BatchContribution(1, model.Cutoff, batch.Partials.GetValueOrDefault(key)),
                    model.Speed(view, key)
                );
                var batchEvents = batch.Partials.GetValueOrDefault(key)?.Events ?? 0;
                if (answer.Events != batchEvents + speedOnly || answer.Provenance.CoveredByBatch != (speedOnly == 0))
                {
                    throw new InvalidOperationException(
                        $"{key}: {answer.Events} events, batch {batchEvents}, speed at or after cutoff {speedOnly}"
                    );
                }
            }

            return true;
        });
    }
}
