using System.Globalization;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Pipeline.Application.Storage;
using Pipeline.Domain.Views;

namespace Pipeline.Application.Batch;

/// <summary>One day's copy in a batch view: the cutoff of the run that wrote it last, and what it holds.</summary>
/// <param name="Cutoff">The cutoff under which its rows and partials are kept.</param>
/// <param name="Rows">Its rows.</param>
/// <param name="Events">The events they count.</param>
public readonly record struct DayCopy(long Cutoff, long Rows, long Events);

/// <summary>
/// Which copy of each day a batch view serves. A run writes only the days its new events touched, under its
/// own cutoff (a late event rewrites its day, not the history); every other day keeps the copy an earlier
/// run wrote. The list is a blob beside the run's rows, named by the run's cutoff and base, and the pointer
/// names it, so the pointer's move commits the list with the rows. A batch view committed before such lists
/// were kept has none: every one of its days is under its own cutoff.
/// </summary>
public sealed class ServedDays
{
    private readonly SortedDictionary<DateTime, DayCopy>? _days;

    private ServedDays(long cutoff, SortedDictionary<DateTime, DayCopy>? days)
    {
        Cutoff = cutoff;
        _days = days;
    }

    /// <summary>The cutoff of the batch view.</summary>
    public long Cutoff { get; }

    /// <summary>Whether the days are listed (false: a batch view kept whole under its cutoff).</summary>
    public bool Listed => _days is not null;

    /// <summary>The listed days and their copies (empty when not listed).</summary>
    public IReadOnlyDictionary<DateTime, DayCopy> Days =>
        _days ?? (IReadOnlyDictionary<DateTime, DayCopy>)new Dictionary<DateTime, DayCopy>();

    /// <summary>The rows of every listed day.</summary>
    public long Rows => Days.Values.Sum(d => d.Rows);

    /// <summary>The events of every listed day.</summary>
    public long Events => Days.Values.Sum(d => d.Events);

    /// <summary>A batch view kept whole under its cutoff.</summary>
    public static ServedDays Whole(long cutoff) => new(cutoff, null);

    /// <summary>No day yet: the base of a full run.</summary>
    public static ServedDays None(long cutoff) => new(cutoff, []);

    /// <summary>These days with the given days replaced by copies written at <paramref name="cutoff"/>.</summary>
    public ServedDays With(long cutoff, IReadOnlyDictionary<DateTime, (long Rows, long Events)> written)
    {
        ArgumentNullException.ThrowIfNull(written);
        var days = new SortedDictionary<DateTime, DayCopy>(_days ?? []);
        foreach (var (day, (rows, events)) in written)
        {
            days[day.Date] = new DayCopy(cutoff, rows, events);
        }

        return new ServedDays(cutoff, days);
    }

    /// <summary>The PartitionKey of the served copy of the day of <paramref name="windowStart"/>, or null when the
    /// batch view has no row that day.</summary>
    public string? PartitionKeyOf(ViewDefinition view, DateTime windowStart)
    {
        ArgumentNullException.ThrowIfNull(view);
        if (_days is null)
        {
            return StorageLayout.Batch.PartitionKey(view.Id, Cutoff, windowStart);
        }

        return _days.TryGetValue(windowStart.Date, out var copy)
            ? StorageLayout.Batch.PartitionKey(view.Id, copy.Cutoff, windowStart)
            : null;
    }

    /// <summary>
    /// PartitionKey ranges that hold the given partitions, one per cutoff (a range may hold other copies of days
    /// between, which a reader skips): a range of days is read in as many scans as cutoffs serve it.
    /// </summary>
    public static IEnumerable<(string First, string Last)> Ranges(IEnumerable<string> partitionKeys) =>
        partitionKeys
            .GroupBy(key => key[..(key.LastIndexOf('.') + 1)], StringComparer.Ordinal)
            .Select(g => (g.Min(StringComparer.Ordinal)!, g.Max(StringComparer.Ordinal)!));

    /// <summary>Every row the batch view serves.</summary>
    public async IAsyncEnumerable<TableEntity> RowsAsync(
        PipelineStore store,
        ViewDefinition view,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default
    )
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(view);
        if (_days is null)
        {
            var prefix = StorageLayout.Batch.CutoffPrefix(view.Id, Cutoff);
            var filter = TableClient.CreateQueryFilter($"PartitionKey ge {prefix} and PartitionKey lt {prefix + "~"}");
            await foreach (
                var row in store
                    .Batch.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken)
                    .ConfigureAwait(false)
            )
            {
                yield return row;
            }

            yield break;
        }

        var served = _days.Keys.Select(day => PartitionKeyOf(view, day)!).ToHashSet(StringComparer.Ordinal);
        foreach (var (first, last) in Ranges(served))
        {
            var filter = TableClient.CreateQueryFilter($"PartitionKey ge {first} and PartitionKey le {last}");
            await foreach (
                var row in store
                    .Batch.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken)
                    .ConfigureAwait(false)
            )
            {
                if (served.Contains(row.PartitionKey))
                {
                    yield return row;
                }
            }
        }
    }

    /// <summary>The served days of a committed committed.</summary>
    public static async Task<ServedDays> OfAsync(
        PipelineStore store,
        BatchPointer committed,
        CancellationToken cancellationToken = default
    )
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(committed);
        return committed.ServedDaysBlob is null
            ? Whole(committed.Cutoff)
            : await ReadAsync(store, committed.ServedDaysBlob, committed.Cutoff, cancellationToken)
                .ConfigureAwait(false);
    }

    /// <summary>The served days a run at <paramref name="cutoff"/> wrote to <paramref name="blob"/>.</summary>
    public static async Task<ServedDays> ReadAsync(
        PipelineStore store,
        string blob,
        long cutoff,
        CancellationToken cancellationToken = default
    )
    {
        ArgumentNullException.ThrowIfNull(store);
        try
        {
            var content = await store
                .Work.GetBlobClient(blob)
                .DownloadContentAsync(cancellationToken)
                .ConfigureAwait(false);
            return Parse(cutoff, content.Value.Content.ToString(), blob);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw new InvalidDataException($"the list of served days '{blob}' is missing", e);
        }
    }

    /// <summary>The list as text: one line per day, <c>yyyy-MM-dd cutoff rows events</c>.</summary>
    public string Format()
    {
        var text = new StringBuilder();
        foreach (var (day, copy) in Days)
        {
            text.Append(CultureInfo.InvariantCulture, $"{day:yyyy-MM-dd} {copy.Cutoff} {copy.Rows} {copy.Events}\n");
        }

        return text.ToString();
    }

    /// <summary>Reads the text <see cref="Format"/> writes.</summary>
    public static ServedDays Parse(long cutoff, string text, string name)
    {
        ArgumentNullException.ThrowIfNull(text);
        var days = new SortedDictionary<DateTime, DayCopy>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ');
            if (
                parts.Length != 4
                || !DateTime.TryParseExact(
                    parts[0],
                    "yyyy-MM-dd",
                    CultureInfo.InvariantCulture,
                    DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal,
                    out var day
                )
                || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var copyCutoff)
                || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var rows)
                || !long.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var events)
            )
            {
                throw new InvalidDataException($"'{name}' has a line that is not 'day cutoff rows events': '{line}'");
            }

            days[DateTime.SpecifyKind(day, DateTimeKind.Utc)] = new DayCopy(copyCutoff, rows, events);
        }

        return new ServedDays(cutoff, days);
    }
}
