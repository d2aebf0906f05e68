using System.Globalization;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs.Models;
using Pipeline.Application.Ingest;
using Pipeline.Application.Outcomes;
using Pipeline.Application.Storage;

namespace Pipeline.Application.Quarantine;

/// <summary>One quarantined event as the API shows it: its payload once, as text when it is UTF-8, else as
/// base64.</summary>
/// <param name="Id">Its id (<c>{partition}-{sequence}</c>), for <c>GET /api/quarantine/{id}</c>.</param>
/// <param name="Partition">The partition.</param>
/// <param name="SequenceNumber">The sequence number.</param>
/// <param name="EnqueuedTime">When Event Hubs accepted it.</param>
/// <param name="Reason">The reason code.</param>
/// <param name="Message">What exactly is wrong.</param>
/// <param name="Body">The payload as text, when it is UTF-8.</param>
/// <param name="BodyBase64">The payload's bytes in base64, when it is not.</param>
/// <param name="BodyBytes">The payload's size in bytes.</param>
/// <param name="Truncated">True when a listing shows only the payload's beginning (the entry by id has it
/// whole).</param>
public sealed record QuarantineEntry(
    string Id,
    int Partition,
    long SequenceNumber,
    DateTimeOffset EnqueuedTime,
    string Reason,
    string Message,
    string? Body,
    string? BodyBase64,
    int BodyBytes,
    bool Truncated
);

/// <summary>A page of quarantined events.</summary>
/// <param name="Items">The events.</param>
/// <param name="Continuation">Pass as <c>continuation</c> for the next page; null on the last.</param>
public sealed record QuarantinePage(IReadOnlyList<QuarantineEntry> Items, string? Continuation);

/// <summary>
/// Pages through quarantined events, in partition and sequence order. A page holds at most
/// <see cref="MaxPageSize"/> entries and shows at most <see cref="ListedPayloadBytes"/> of each payload, so a
/// page stays under about 1 MiB however large the events were; <see cref="GetAsync"/> returns one whole.
/// </summary>
public sealed class QuarantineReader(PipelineStore store)
{
    /// <summary>The most entries on a page.</summary>
    public const int MaxPageSize = 200;

    /// <summary>How much of a payload a listing shows.</summary>
    public const int ListedPayloadBytes = 4096;

    private const int ParallelReads = 8;

    /// <summary>One page of quarantined events.</summary>
    public async Task<QuarantinePage> ListAsync(
        string? continuation,
        int pageSize,
        CancellationToken cancellationToken = default
    )
    {
        await foreach (
            var page in store
                .Quarantine.GetBlobsAsync(new GetBlobsOptions(), cancellationToken)
                .AsPages(continuation, Math.Clamp(pageSize, 1, MaxPageSize))
                .ConfigureAwait(false)
        )
        {
            var items = new QuarantineEntry[page.Values.Count];
            await Parallel
                .ForEachAsync(
                    Enumerable.Range(0, items.Length),
                    new ParallelOptions
                    {
                        MaxDegreeOfParallelism = ParallelReads,
                        CancellationToken = cancellationToken,
                    },
                    async (i, ct) =>
                        items[i] = Entry(
                            await ReadAsync(page.Values[i].Name, ct).ConfigureAwait(false),
                            ListedPayloadBytes
                        )
                )
                .ConfigureAwait(false);

            // Azurite ends the last page with an empty token rather than none.
            return new QuarantinePage(
                items,
                string.IsNullOrEmpty(page.ContinuationToken) ? null : page.ContinuationToken
            );
        }

        return new QuarantinePage([], null);
    }

    /// <summary>One quarantined event, whole.</summary>
    public async Task<Outcome<QuarantineEntry>> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        var parts = (id ?? string.Empty).Split('-');
        var missing = Outcome<QuarantineEntry>.NotFound(
            $"there is no quarantined event '{Domain.Quote.Shorten(id)}' (ids are partition-sequence, as listings "
                + $"show them)"
        );
        if (
            parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var partition)
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var sequence)
        )
        {
            return missing;
        }

        try
        {
            return Outcome<QuarantineEntry>.Ok(
                Entry(
                    await ReadAsync(StorageLayout.Quarantine.Entry(partition, sequence), cancellationToken)
                        .ConfigureAwait(false),
                    int.MaxValue
                )
            );
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return missing;
        }
    }

    /// <summary>The id of an entry: partition and sequence number.</summary>
    public static string IdOf(int partition, long sequenceNumber) =>
        string.Create(CultureInfo.InvariantCulture, $"{partition}-{sequenceNumber}");

    private async Task<QuarantinedEvent> ReadAsync(string blobName, CancellationToken cancellationToken)
    {
        using var download = (
            await store
                .Quarantine.GetBlobClient(blobName)
                .DownloadStreamingAsync(cancellationToken: cancellationToken)
                .ConfigureAwait(false)
        ).Value;
        return (
            await JsonSerializer
                .DeserializeAsync<QuarantinedEvent>(download.Content, ApiJson.Options, cancellationToken)
                .ConfigureAwait(false)
        )!;
    }

    private static QuarantineEntry Entry(QuarantinedEvent stored, int shown)
    {
        var id = IdOf(stored.Partition, stored.SequenceNumber);
        if (stored.Body is { } text)
        {
            var bytes = Encoding.UTF8.GetByteCount(text);
            var truncated = bytes > shown;
            return new QuarantineEntry(
                id,
                stored.Partition,
                stored.SequenceNumber,
                stored.EnqueuedTime,
                stored.Reason,
                stored.Message,
                truncated ? Prefix(text, shown) : text,
                null,
                bytes,
                truncated
            );
        }

        var raw = Convert.FromBase64String(stored.BodyBase64 ?? string.Empty);
        var cut = raw.Length > shown;
        return new QuarantineEntry(
            id,
            stored.Partition,
            stored.SequenceNumber,
            stored.EnqueuedTime,
            stored.Reason,
            stored.Message,
            null,
            Convert.ToBase64String(cut ? raw.AsSpan(0, shown) : raw),
            raw.Length,
            cut
        );
    }

    /// <summary>The longest beginning of <paramref name="text"/> of at most <paramref name="bytes"/> UTF-8 bytes, not
    /// splitting a character.</summary>
    private static string Prefix(string text, int bytes)
    {
        var length = Math.Min(text.Length, bytes);
        while (length > 0 && Encoding.UTF8.GetByteCount(text.AsSpan(0, length)) > bytes)
        {
            length--;
        }

        if (length > 0 && char.IsHighSurrogate(text[length - 1]))
        {
            length--;
        }

        return text[..length];
    }
}
