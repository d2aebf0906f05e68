using System.Globalization;
using Azure.Data.Tables;
using Pipeline.Application.Storage;
using Pipeline.Domain.Epochs;
using Pipeline.Domain.Views;
using Pipeline.Storage.Tables;

namespace Pipeline.Application.Versions;

/// <summary>A key on which a view's served version and its shadow version answered differently.</summary>
public sealed record ShadowDifference(
    string View,
    string Key,
    int ServedVersion,
    decimal? ServedValue,
    int ShadowVersion,
    decimal? ShadowValue,
    DateTimeOffset RecordedAt
);

/// <summary>
/// Shadow mode's record: when a served key answer and the shadow version's answer to the same key
/// differ, the pair is kept (newest first) so the new logic can be judged on real traffic before any
/// reader is moved to it.
/// </summary>
public sealed class ShadowRecorder(PipelineStore store, TimeProvider time)
{
    private long _sequence;

    /// <summary>Records a difference, if there is one; returns whether there was.</summary>
    public async Task<bool> RecordIfDifferentAsync(
        ViewDefinition served,
        MergedAnswer servedAnswer,
        ViewDefinition shadow,
        MergedAnswer shadowAnswer,
        CancellationToken cancellationToken = default
    )
    {
        ArgumentNullException.ThrowIfNull(served);
        ArgumentNullException.ThrowIfNull(servedAnswer);
        ArgumentNullException.ThrowIfNull(shadow);
        ArgumentNullException.ThrowIfNull(shadowAnswer);
        var (servedText, shadowText) = (TextOf(servedAnswer), TextOf(shadowAnswer));
        if (servedText == shadowText)
        {
            return false;
        }

        var now = time.GetUtcNow();
        var rowKey = StorageLayout.Operations.NewestFirst(
            now,
            string.Create(
                CultureInfo.InvariantCulture,
                $"{Environment.ProcessId}-{Interlocked.Increment(ref _sequence):D10}"
            )
        );
        await store
            .Operations.AddEntityAsync(
                new TableEntity(StorageLayout.Operations.ShadowPartition(served.Name), rowKey)
                {
                    ["Key"] = servedAnswer.Key.Format(served.Window),
                    ["ServedVersion"] = served.Version,
                    ["ServedValue"] = servedText,
                    ["ShadowVersion"] = shadow.Version,
                    ["ShadowValue"] = shadowText,
                    ["RecordedAt"] = now,
                },
                cancellationToken
            )
            .ConfigureAwait(false);
        return true;
    }

    /// <summary>An answer's value as text: the value, or each aggregate's as <c>name=value</c> for a view of several.
    /// </summary>
    private static string? TextOf(MergedAnswer answer) =>
        answer.Parts is { Count: > 1 } parts
            ? string.Join(
                ", ",
                parts.Select(p => $"{p.Name}={p.Result.Value?.ToString(CultureInfo.InvariantCulture) ?? "null"}")
            )
            : answer.Result.Value?.ToString(CultureInfo.InvariantCulture);

    /// <summary>The newest differences recorded for a view.</summary>
    public async Task<IReadOnlyList<ShadowDifference>> ListAsync(
        string view,
        int max,
        CancellationToken cancellationToken = default
    )
    {
        var rows = new List<ShadowDifference>();
        await foreach (
            var row in store
                .Operations.QueryAsync<TableEntity>(
                    TableClient.CreateQueryFilter($"PartitionKey eq {StorageLayout.Operations.ShadowPartition(view)}"),
                    maxPerPage: max,
                    cancellationToken: cancellationToken
                )
                .ConfigureAwait(false)
        )
        {
            rows.Add(
                new ShadowDifference(
                    view,
                    row.GetString("Key") ?? string.Empty,
                    row.GetInt32("ServedVersion") ?? 0,
                    Decimal(row.GetString("ServedValue")),
                    row.GetInt32("ShadowVersion") ?? 0,
                    Decimal(row.GetString("ShadowValue")),
                    row.GetDateTimeOffset("RecordedAt") ?? default
                )
            );
            if (rows.Count == max)
            {
                break;
            }
        }

        return rows;
    }

    private static decimal? Decimal(string? text) =>
        text is null ? null : decimal.Parse(text, CultureInfo.InvariantCulture);
}
