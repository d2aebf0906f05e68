using System.Text;
using Pipeline.Domain.Aggregations;
using Pipeline.Domain.Events;

namespace Pipeline.Domain.Views;

/// <summary>
/// The one definition of a view, used unchanged by the speed layer, the batch layer, replay and audits:
/// which events, the key (event-time window plus an optional dimension) and the monoid aggregation.
/// New logic is a new <see cref="Version"/>, never an edit in place.
/// </summary>
public sealed class ViewDefinition
{
    /// <summary>Creates a definition; prefer <see cref="Builder"/>.</summary>
    public ViewDefinition(
        string name,
        int version,
        EventFilter filter,
        TimeWindow window,
        EventField? dimension,
        Aggregation aggregation,
        string description
    )
    {
        ValidateName(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(version, 1);
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(aggregation);
        Name = name;
        Version = version;
        Filter = filter;
        Window = window;
        Dimension = dimension;
        Aggregation = aggregation;
        Description = description ?? string.Empty;
    }

    /// <summary>The view's name: lower-case letters, digits and dashes, such as <c>new-users</c>.</summary>
    public string Name { get; }

    /// <summary>The logic version, from 1.</summary>
    public int Version { get; }

    /// <summary>The view version this defines, <c>name@version</c>.</summary>
    public ViewVersion Id => new(Name, Version);

    /// <summary>Which events the view takes.</summary>
    public EventFilter Filter { get; }

    /// <summary>The event-time window of the key.</summary>
    public TimeWindow Window { get; }

    /// <summary>The dimension of the key, or null.</summary>
    public EventField? Dimension { get; }

    /// <summary>The aggregation.</summary>
    public Aggregation Aggregation { get; }

    /// <summary>What the view answers, in a sentence.</summary>
    public string Description { get; }

    /// <summary>The spec the view was built from, or null for a view defined in code.</summary>
    public Specs.ViewSpec? Spec { get; init; }

    /// <summary>The key's text format, such as <c>yyyy-MM-ddTHH|{data.page}</c>.</summary>
    public string KeyFormat
    {
        get
        {
            var window = Window.Format().Replace("'", string.Empty, StringComparison.Ordinal);
            return Dimension is null ? window : $"{window}{ViewKey.DimensionSeparator}{{{Dimension}}}";
        }
    }

    /// <summary>Starts a definition.</summary>
    public static Builder Named(string name, int version) => new(name, version);

    /// <summary>
    /// Gets the key of an event, or false when the view does not take it (filter, or no usable dimension).
    /// </summary>
    public bool TryGetKey(in CloudEvent cloudEvent, DimensionInterner interner, out ViewKey key)
    {
        ArgumentNullException.ThrowIfNull(interner);
        key = default;
        if (!Filter.Matches(cloudEvent))
        {
            return false;
        }

        string? dimension = null;
        if (Dimension is not null)
        {
            Span<byte> scratch = stackalloc byte[EventField.MaxValueBytes];
            if (!Dimension.TryGetString(cloudEvent, scratch, out var value))
            {
                return false;
            }

            dimension = interner.Intern(value);
        }

        key = new ViewKey(Window.StartOf(cloudEvent.Time), dimension);
        return true;
    }

    /// <summary>Parses the text form of a key; <paramref name="error"/> says what is wrong.</summary>
    public bool TryParseKey(string? text, out ViewKey key, out string error) =>
        TryParseKey(text, anyDimension: false, out key, out error);

    /// <summary>
    /// Parses one end of a window range: a key, or for a view with a dimension also a bare window, which
    /// stands for every dimension (the key's <see cref="ViewKey.Dimension"/> is then null).
    /// </summary>
    public bool TryParseRangeEnd(string? text, out ViewKey key, out string error) =>
        TryParseKey(text, anyDimension: true, out key, out error);

    private bool TryParseKey(string? text, bool anyDimension, out ViewKey key, out string error)
    {
        key = default;
        error = string.Empty;
        if (string.IsNullOrEmpty(text))
        {
            error = $"a key is required; view '{Name}' uses keys like {KeyFormat}";
            return false;
        }

        var quoted = Quote.Shorten(text);
        var separator = text.IndexOf(ViewKey.DimensionSeparator, StringComparison.Ordinal);
        var windowText = separator < 0 ? text.AsSpan() : text.AsSpan(0, separator);
        if ((separator < 0) != (Dimension is null) && !(anyDimension && separator < 0))
        {
            error = $"key '{quoted}' does not match view '{Name}', whose keys look like {KeyFormat}";
            return false;
        }

        if (!Window.TryParseStart(windowText, out var start))
        {
            var length = Window.Format().Replace("'", string.Empty, StringComparison.Ordinal).Length;
            var window = Window.ToString().ToLowerInvariant();
            error =
                windowText.Length > length && Window.TryParseStart(windowText[..length], out _)
                    ? $"key '{quoted}' has '{Quote.Shorten(windowText[length..].ToString())}' after its {window}; "
                        + $"view '{Name}' uses keys like {KeyFormat}"
                    : $"key '{quoted}' does not start with a {window} in the format {KeyFormat}";
            return false;
        }

        string? dimension = null;
        if (separator >= 0)
        {
            dimension = text[(separator + 1)..];
            if (Encoding.UTF8.GetByteCount(dimension) > EventField.MaxValueBytes)
            {
                error = $"the dimension of key '{quoted}' is longer than {EventField.MaxValueBytes} UTF-8 bytes";
                return false;
            }
        }

        key = new ViewKey(start, dimension);
        return true;
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name} v{Version}: {Aggregation} of {Filter} per {KeyFormat}";

    private static void ValidateName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (
            name.Length > 63
            || !char.IsAsciiLetterLower(name[0])
            || !name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')
        )
        {
            throw new ArgumentException(
                $"view name '{name}' must be 1-63 characters of a-z, 0-9 and '-', starting with a letter",
                nameof(name)
            );
        }
    }

    /// <summary>Builds a definition step by step: <c>ViewDefinition.Named("x",
    /// 1).Where(..).Per(..).Aggregate(..)</c>.</summary>
    public sealed class Builder
    {
        private readonly string _name;
        private readonly int _version;
        private EventFilter _filter = EventFilter.All;
        private TimeWindow _window = TimeWindow.Day;
        private EventField? _dimension;
        private string _description = string.Empty;
        private Specs.ViewSpec? _spec;

        internal Builder(string name, int version)
        {
            _name = name;
            _version = version;
        }

        /// <summary>Which events the view takes.</summary>
        public Builder Where(EventFilter filter)
        {
            _filter = filter;
            return this;
        }

        /// <summary>The key: a window and optionally a dimension.</summary>
        public Builder Per(TimeWindow window, EventField? dimension = null)
        {
            _window = window;
            _dimension = dimension;
            return this;
        }

        /// <summary>A sentence saying what the view answers.</summary>
        public Builder Describe(string description)
        {
            _description = description;
            return this;
        }

        /// <summary>The spec the view is built from.</summary>
        public Builder DeclaredBy(Specs.ViewSpec spec)
        {
            _spec = spec;
            return this;
        }

        /// <summary>Completes the definition with its aggregation.</summary>
        public ViewDefinition Aggregate(Aggregation aggregation) =>
            new(_name, _version, _filter, _window, _dimension, aggregation, _description) { Spec = _spec };
    }
}
