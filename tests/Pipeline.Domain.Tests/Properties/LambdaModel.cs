using System.Text;
using Pipeline.Domain.Aggregations;
using Pipeline.Domain.Epochs;
using Pipeline.Domain.Events;
using Pipeline.Domain.Hashing;
using Pipeline.Domain.Views;

namespace Pipeline.Domain.Tests.Properties;

/// <summary>One generated event: which type, user, event time, amount and page.</summary>
public sealed record EventSpec(int Type, int User, int Day, int Hour, int Cents, int Page, bool HasTime);

/// <summary>
/// A generated history: events, producer retries (an event re-sent some positions later), a partition
/// count, an epoch length, a cutoff, and a stream of choices that drives batch boundaries and redeliveries.
/// </summary>
public sealed record Scenario(
    EventSpec[] Events,
    (int Original, int Delay)[] Retries,
    int Partitions,
    int EpochSeconds,
    int CutoffPercent,
    int[] Choices
);

/// <summary>
/// A small model of the lambda architecture over the domain's real pieces (parser, view folds, state
/// codec, serving merge): a raw log written by at-least-once deliveries with any boundaries, a speed
/// layer that applies each partition's log once and drops producer retries, and a batch layer that
/// de-duplicates the log exactly up to a cutoff epoch.
/// </summary>
internal sealed class LambdaModel
{
    private static readonly string[] Types = ["user.signup", "page.view", "order.placed"];
    private static readonly string[] Pages = ["/", "/pricing", "/docs", "/blog/ünïcode"];
    private static readonly DateTimeOffset FirstEnqueued = new(2026, 11, 18, 0, 0, 0, TimeSpan.Zero);

    private readonly List<Entry> _stream = [];
    private readonly List<Entry> _rawLog = [];
    private readonly Dictionary<(int View, long Epoch), ViewAccumulator> _speed = [];
    private readonly Scenario _scenario;
    private int _choice;

    public LambdaModel(Scenario scenario, IReadOnlyList<ViewDefinition> views)
    {
        _scenario = scenario;
        Views = views;
        Clock = new EpochClock(TimeSpan.FromSeconds(scenario.EpochSeconds));
        BuildStream();
        foreach (var partition in _stream.GroupBy(e => e.Partition))
        {
            DeliverAtLeastOnce([.. partition]);
        }

        var first = _stream.Min(e => e.Epoch);
        var last = _stream.Max(e => e.Epoch);
        Cutoff = first + ((last + 2 - first) * scenario.CutoffPercent / 100);
    }

    public IReadOnlyList<ViewDefinition> Views { get; }

    public EpochClock Clock { get; }

    public long Cutoff { get; }

    /// <summary>One fold over the de-duplicated events: the truth.</summary>
    public ViewAccumulator Truth(int view)
    {
        var truth = new ViewAccumulator(Views[view]);
        var seen = new HashSet<EventIdentity>();
        foreach (var entry in _stream.Where(e => seen.Add(e.Identity)))
        {
            truth.Add(entry.Event);
        }

        return truth;
    }

    /// <summary>The batch layer: log events of epochs below the cutoff, exactly de-duplicated, stored and
    /// reloaded.</summary>
    public ViewAccumulator Batch(int view)
    {
        var batch = new ViewAccumulator(Views[view]);
        var seen = new HashSet<EventIdentity>();
        var events = _rawLog
            .Where(e => e.Epoch < Cutoff)
            .DistinctBy(e => (e.Partition, e.Sequence))
            .OrderBy(e => e.Position)
            .Where(e => seen.Add(e.Identity));
        foreach (var entry in events)
        {
            batch.Add(entry.Event);
        }

        return RoundTrip(batch);
    }

    /// <summary>The speed layer's per-epoch partials for one key.</summary>
    public IEnumerable<SpeedContribution> Speed(int view, ViewKey key) =>
        _speed
            .Where(s => s.Key.View == view && s.Value.Partials.ContainsKey(key))
            .Select(s => new SpeedContribution(s.Key.Epoch, s.Value.Partials[key], FirstEnqueued));

    /// <summary>Every key the speed layer holds for a view.</summary>
    public IEnumerable<ViewKey> SpeedKeys(int view) =>
        _speed.Where(s => s.Key.View == view).SelectMany(s => s.Value.Partials.Keys);

    private void BuildStream()
    {
        var order = Enumerable.Range(0, _scenario.Events.Length).ToList();
        foreach (var (original, delay) in _scenario.Retries)
        {
            var at = order.IndexOf(original % _scenario.Events.Length);
            order.Insert(Math.Min(order.Count, at + 1 + delay), original % _scenario.Events.Length);
        }

        var sequences = new long[_scenario.Partitions];
        for (var position = 0; position < order.Count; position++)
        {
            var spec = _scenario.Events[order[position]];
            var enqueued = FirstEnqueued.AddSeconds(position);
            var cloudEvent = Parse(Json(order[position], spec), enqueued);
            var partition = (int)(
                System.IO.Hashing.XxHash64.HashToUInt64(cloudEvent.Subject) % (ulong)_scenario.Partitions
            );
            _stream.Add(
                new Entry(
                    position,
                    partition,
                    sequences[partition]++,
                    Clock.EpochOf(enqueued),
                    cloudEvent,
                    EventIdentity.Of(cloudEvent)
                )
            );
        }
    }

    private void DeliverAtLeastOnce(Entry[] partitionLog)
    {
        var applied = -1L;
        var seen = new HashSet<EventIdentity>();
        var position = 0;
        var redeliveries = 0;
        while (position < partitionLog.Length)
        {
            var batch = partitionLog[position..Math.Min(partitionLog.Length, position + 1 + Next(8))];
            _rawLog.AddRange(batch);
            ApplyToSpeed(batch, ref applied, seen);
            position += batch.Length;
            if (redeliveries < 6 && Next(4) == 0)
            {
                // The trigger re-delivers from an earlier checkpoint, with new batch boundaries.
                redeliveries++;
                position -= Next(position + 1);
            }
        }
    }

    private void ApplyToSpeed(Entry[] batch, ref long applied, HashSet<EventIdentity> seen)
    {
        var position = applied;
        var fresh = batch.Where(e => e.Sequence > position).ToArray();
        if (fresh.Length == 0)
        {
            return;
        }

        applied = fresh[^1].Sequence;
        var perEpoch = new Dictionary<(int, long), ViewAccumulator>();
        foreach (var entry in fresh.Where(e => seen.Add(e.Identity)))
        {
            for (var view = 0; view < Views.Count; view++)
            {
                if (!perEpoch.TryGetValue((view, entry.Epoch), out var accumulator))
                {
                    perEpoch[(view, entry.Epoch)] = accumulator = new ViewAccumulator(Views[view]);
                }

                accumulator.Add(entry.Event);
            }
        }

        foreach (var (slot, accumulator) in perEpoch)
        {
            if (!_speed.TryGetValue(slot, out var stored))
            {
                stored = new ViewAccumulator(Views[slot.Item1]);
            }

            stored.MergeFrom(accumulator);
            _speed[slot] = RoundTrip(stored);
        }
    }

    /// <summary>Stores and reloads every partial, as the real layers do through Table storage.</summary>
    private static ViewAccumulator RoundTrip(ViewAccumulator accumulator)
    {
        var reloaded = new ViewAccumulator(accumulator.View);
        foreach (var (key, partial) in accumulator.Partials)
        {
            var state = StateCodec.Deserialize(StateCodec.Serialize(partial.State));
            reloaded.Merge(key, new ViewPartial(state, partial.Events, partial.EventsTimedByEnqueue));
        }

        return reloaded;
    }

    private int Next(int max) =>
        _scenario.Choices.Length == 0 ? 0 : _scenario.Choices[_choice++ % _scenario.Choices.Length] % max;

    private static string Json(int index, EventSpec spec)
    {
        var time = spec.HasTime ? $",\"time\":\"2026-11-{18 + spec.Day:D2}T{spec.Hour:D2}:15:00Z\"" : string.Empty;
        var amount = decimal.Divide(spec.Cents, 100m).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return $$$"""{"specversion":"1.0","id":"e-{{{index}}}","source":"/model","type":"{{{Types[spec.Type]}}}","subject":"user-{{{spec.User}}}"{{{time}}},"data":{"amount":{{{amount}}},"page":"{{{Pages[spec.Page]}}}"}}""";
    }

    private static CloudEvent Parse(string json, DateTimeOffset enqueued) =>
        CloudEventParser.TryParse(Encoding.UTF8.GetBytes(json), enqueued, out var e, out var rejection)
            ? e
            : throw new InvalidOperationException(rejection.ToString());

    private sealed record Entry(
        int Position,
        int Partition,
        long Sequence,
        long Epoch,
        CloudEvent Event,
        EventIdentity Identity
    );
}
