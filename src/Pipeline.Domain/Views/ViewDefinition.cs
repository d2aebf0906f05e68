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
    /// <summary>The most dimensions a key has.</summary>
    public const int MaxDimensions = 3;

    /// <summary>Creates a definition of at most one dimension; prefer <see cref="Builder"/>.</summary>
    public ViewDefinition(
        string name,
        int version,
        EventFilter filter,
        TimeWindow window,
        EventField? dimension,
        Aggregation aggregation,
        string description
    )
        : this(name, version, filter, window, dimension is null ? [] : [dimension], aggregation, description) { }

    /// <summary>Creates a definition; prefer <see cref="Builder"/>.</summary>
    public ViewDefinition(
        string name,
        int version,
        EventFilter filter,
        TimeWindow window,
        IReadOnlyList<EventField> dimensions,
        Aggregation aggregation,
        string description
    )
    {
        ArgumentNullException.ThrowIfNull(dimensions);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(dimensions.Count, MaxDimensions);
        ValidateName(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(version, 1);
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(aggregation);
        Name = name;
        Version = version;
        Filter = filter;
        Window = window;
        Dimensions = [.. dimensions];
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

    /// <summary>The dimensions of the key, in order (none to three).</summary>
    public IReadOnlyList<EventField> Dimensions { get; }

    /// <summary>The key's one dimension, or null when it has none or several.</summary>
    public EventField? Dimension => Dimensions.Count == 1 ? Dimensions[0] : null;

    /// <summary>The aggregation.</summary>
    public Aggregation Aggregation { get; }

    /// <summary>What the view answers, in a sentence.</summary>
    public string Description { get; }

    /// <summary>For a view of one aggregate declared by a spec: the aggregate's name in answers.</summary>
    public string? AggregateName { get; init; }

    /// <summary>For a view of one aggregate: the field it reads (null for a count). An event whose field holds a
    /// value the aggregate cannot use is counted as skipped; one without the field is not.</summary>
    public EventField? ValueField { get; init; }

    /// <summary>The spec the view was built from, or null for a view defined in code.</summary>
    public Specs.ViewSpec? Spec { get; init; }

    /// <summary>The key's text format, such as <c>yyyy-MM-ddTHH|{data.page}</c>.</summary>
    public string KeyFormat
    {
        get
        {
            var key = new StringBuilder(Window.Format());
            foreach (var dimension in Dimensions)
            {
                key.Append(ViewKey.DimensionSeparator).Append('{').Append(dimension).Append('}');
            }

            return key.ToString();
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
        if (Dimensions.Count == 1)
        {
            Span<byte> scratch = stackalloc byte[EventField.MaxValueBytes];
            if (!Dimensions[0].TryGetString(cloudEvent, scratch, out var value))
            {
                return false;
            }

            dimension = interner.Intern(value);
        }
        else if (Dimensions.Count > 1 && !TryGetDimensions(cloudEvent, interner, out dimension))
        {
            return false;
        }

        key = new ViewKey(Window.StartOf(cloudEvent.Time), dimension);
        return true;
    }

    /// <summary>
    /// The values of several dimensions as a key holds them: each with <c>%</c> and <c>|</c> written <c>%25</c> and
    /// <c>%7C</c>, joined by <c>|</c>, so that any values round-trip.
    /// </summary>
    private bool TryGetDimensions(in CloudEvent cloudEvent, DimensionInterner interner, out string? dimensions)
    {
        dimensions = null;
        Span<byte> scratch = stackalloc byte[EventField.MaxValueBytes];
        Span<byte> joined = stackalloc byte[MaxDimensionsBytes];
        var length = 0;
        for (var i = 0; i < Dimensions.Count; i++)
        {
            if (!Dimensions[i].TryGetString(cloudEvent, scratch, out var value))
            {
                return false;
            }

            if (i > 0)
            {
                joined[length++] = (byte)ViewKey.DimensionSeparator;
            }

            foreach (var b in value)
            {
                length += b switch
                {
                    (byte)'%' => Write(joined[length..], "%25"u8),
                    (byte)'|' => Write(joined[length..], "%7C"u8),
                    _ => Write(joined[length..], [b]),
                };
            }
        }

        dimensions = interner.Intern(joined[..length]);
        return true;

        static int Write(Span<byte> into, ReadOnlySpan<byte> bytes)
        {
            bytes.CopyTo(into);
            return bytes.Length;
        }
    }

    /// <summary>The longest text of several dimensions: each value escaped at most threefold, and separators.</summary>
    private const int MaxDimensionsBytes = (MaxDimensions * EventField.MaxValueBytes * 3) + MaxDimensions;

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
        if ((separator < 0) != (Dimensions.Count == 0) && !(anyDimension && separator < 0))
        {
            error = $"key '{quoted}' does not match view '{Name}', whose keys look like {KeyFormat}";
            return false;
        }

        if (!Window.TryParseStart(windowText, out var start))
        {
            var length = Window.Format().Length;
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
            var values = Dimensions.Count == 1 ? [dimension] : dimension.Split(ViewKey.DimensionSeparator);
            if (values.Length != Dimensions.Count)
            {
                error =
                    $"key '{quoted}' has {values.Length} dimension values; view '{Name}' has {Dimensions.Count} "
                    + $"(keys like {KeyFormat}; write % and | inside a value as %25 and %7C)";
                return false;
            }

            if (
                values.Any(v =>
                    Encoding.UTF8.GetByteCount(Dimensions.Count == 1 ? v : Unescape(v)) > EventField.MaxValueBytes
                )
            )
            {
                error = $"a dimension of key '{quoted}' is longer than {EventField.MaxValueBytes} UTF-8 bytes";
                return false;
            }
        }

        key = new ViewKey(start, dimension);
        return true;
    }

    private static string Unescape(string value) =>
        value.Replace("%7C", "|", StringComparison.OrdinalIgnoreCase).Replace("%25", "%", StringComparison.Ordinal);

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
        private IReadOnlyList<EventField> _dimensions = [];
        private string _description = string.Empty;
        private Specs.ViewSpec? _spec;
        private string? _aggregateName;
        private EventField? _valueField;

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
        public Builder Per(TimeWindow window, EventField? dimension = null) =>
            Per(window, dimension is null ? [] : [dimension]);

        /// <summary>The key: a window and up to three dimensions, in order.</summary>
        public Builder Per(TimeWindow window, IReadOnlyList<EventField> dimensions)
        {
            _window = window;
            _dimensions = dimensions;
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

        /// <summary>Names the view's one aggregate and the field it reads (skipped values are counted).</summary>
        public Builder Naming(string? aggregateName, EventField? valueField)
        {
            _aggregateName = aggregateName;
            _valueField = valueField;
            return this;
        }

        /// <summary>Completes the definition with its aggregation.</summary>
        public ViewDefinition Aggregate(Aggregation aggregation) =>
            new(_name, _version, _filter, _window, _dimensions, aggregation, _description)
            {
                Spec = _spec,
                AggregateName = _aggregateName,
                ValueField = _valueField,
            };
    }
}
