using System.Text;
using System.Text.Json;
using Pipeline.Domain.Events;

namespace Pipeline.Domain.Views.Specs;

/// <summary>
/// The contract's meaning of a spec, computed directly and simply over events' JSON: which events a view
/// takes, under which key, and every aggregate's exact value (distinct counts exactly, approxDistinct
/// too). Ground truth for checking the pipeline's folds; not built for speed.
/// </summary>
/// <param name="spec">The view spec.</param>
public sealed class SpecEvaluator(ViewSpec spec)
{
    private readonly Dictionary<string, SpecKeyTotals> _keys = new(StringComparer.Ordinal);

    /// <summary>The spec evaluated.</summary>
    public ViewSpec Spec { get; } = spec ?? throw new ArgumentNullException(nameof(spec));

    /// <summary>Every key taken so far, with its totals.</summary>
    public IReadOnlyDictionary<string, SpecKeyTotals> Keys => _keys;

    /// <summary>Adds an event (its CloudEvents JSON envelope); false when the view does not take it.</summary>
    /// <param name="cloudEvent">The event.</param>
    /// <param name="enqueuedTime">Its time when it has no <c>time</c> attribute.</param>
    public bool Add(JsonElement cloudEvent, DateTimeOffset enqueuedTime)
    {
        if (!SpecConditions.Holds(Spec.Where, cloudEvent) || KeyOf(cloudEvent, enqueuedTime) is not { } key)
        {
            return false;
        }

        if (!_keys.TryGetValue(key, out var totals))
        {
            totals = new SpecKeyTotals(Spec.Aggregates);
            _keys.Add(key, totals);
        }

        totals.Add(cloudEvent);
        return true;
    }

    /// <summary>The event's key, or null when a <c>by</c> field is missing or not a usable value.</summary>
    public string? KeyOf(JsonElement cloudEvent, DateTimeOffset enqueuedTime)
    {
        var time = enqueuedTime;
        if (
            cloudEvent.TryGetProperty("time", out var timeValue)
            && timeValue.ValueKind == JsonValueKind.String
            && Rfc3339.TryParse(Encoding.UTF8.GetBytes(timeValue.GetString()!), out var eventTime)
        )
        {
            time = eventTime;
        }

        var key = new StringBuilder(SpecWindows.KeyOf(Spec.Window, time));
        foreach (var field in Spec.By)
        {
            if (!field.TryGet(cloudEvent, out var value) || TextOf(value) is not { } text)
            {
                return null;
            }

            // One value is everything after the first '|'; several need their '|' escaped to be told apart.
            key.Append('|').Append(Spec.By.Count == 1 ? text : SpecWindows.EscapeDimension(text));
        }

        return key.ToString();
    }

    /// <summary>A value as a key or a distinct member holds it: a string's text, a number's or a boolean's JSON
    /// text; null for anything else and for values over <see cref="EventField.MaxValueBytes"/> UTF-8 bytes.</summary>
    public static string? TextOf(JsonElement value)
    {
        var text = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
            _ => null,
        };
        return text is not null && Encoding.UTF8.GetByteCount(text) <= EventField.MaxValueBytes ? text : null;
    }
}

/// <summary>One key's totals: the events it took and each aggregate's state.</summary>
public sealed class SpecKeyTotals
{
    internal SpecKeyTotals(IReadOnlyList<SpecAggregate> aggregates) =>
        Aggregates = [.. aggregates.Select(a => new SpecAggregateTotal(a))];

    /// <summary>Events the key took.</summary>
    public long Events { get; private set; }

    /// <summary>Each aggregate's totals, in the spec's order.</summary>
    public IReadOnlyList<SpecAggregateTotal> Aggregates { get; }

    internal void Add(JsonElement cloudEvent)
    {
        Events++;
        foreach (var aggregate in Aggregates)
        {
            aggregate.Add(cloudEvent);
        }
    }
}

/// <summary>One aggregate's totals for one key.</summary>
public sealed class SpecAggregateTotal
{
    private readonly HashSet<string> _members = new(StringComparer.Ordinal);
    private decimal _sum;
    private decimal? _min;
    private decimal? _max;

    internal SpecAggregateTotal(SpecAggregate aggregate) => Aggregate = aggregate;

    /// <summary>The aggregate.</summary>
    public SpecAggregate Aggregate { get; }

    /// <summary>Values used (events, for count).</summary>
    public long Used { get; private set; }

    /// <summary>Values present that the aggregate could not use (not a number, over ±10^18, finer than 8
    /// places; for distinct counts, an object, an array or a value over 512 bytes).</summary>
    public long Skipped { get; private set; }

    /// <summary>The aggregate's value: null for min, max and avg of no values.</summary>
    public decimal? Value =>
        Aggregate.Op switch
        {
            SpecAggregateOp.Count => Used,
            SpecAggregateOp.Sum => _sum,
            SpecAggregateOp.Min => _min,
            SpecAggregateOp.Max => _max,
            SpecAggregateOp.Avg => Used == 0 ? null : Math.Round(_sum / Used, 8, MidpointRounding.ToEven),
            _ => _members.Count,
        };

    internal void Add(JsonElement cloudEvent)
    {
        if (!SpecConditions.Holds(Aggregate.Where, cloudEvent))
        {
            return;
        }

        if (Aggregate.Op == SpecAggregateOp.Count)
        {
            Used++;
            return;
        }

        if (!Aggregate.Field!.TryGet(cloudEvent, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return;
        }

        if (Aggregate.Op is SpecAggregateOp.Distinct or SpecAggregateOp.ApproxDistinct)
        {
            if (SpecEvaluator.TextOf(value) is { } member)
            {
                Used++;
                _members.Add(member);
            }
            else
            {
                Skipped++;
            }

            return;
        }

        if (!SpecConditions.TryGetNumber(value, out var number))
        {
            Skipped++;
            return;
        }

        Used++;
        _sum += number;
        _min = _min is { } min && min <= number ? min : number;
        _max = _max is { } max && max >= number ? max : number;
    }
}
