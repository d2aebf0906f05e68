using System.Globalization;
using System.Text.RegularExpressions;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Pipeline.Application.Storage;

namespace Pipeline.Application.RawLog;

/// <summary>A raw segment found in the log: its blob name and what the name says.</summary>
/// <param name="Name">The blob name.</param>
/// <param name="Epoch">The epoch its events were enqueued in.</param>
/// <param name="Partition">The partition.</param>
/// <param name="First">Its first sequence number.</param>
/// <param name="Last">Its last sequence number.</param>
public readonly record struct RawSegment(string Name, long Epoch, int Partition, long First, long Last);

/// <summary>
/// Names of raw log segments: <c>{epoch:D12}/{partition:D4}/{first:D20}-{last:D20}.ndjson.gz</c>.
/// Deterministic from what the segment holds, so a redelivered batch maps to the same name, and
/// sorted by epoch, partition and position, so one epoch (or one partition of it) is one prefix.
/// </summary>
public static partial class RawSegments
{
    /// <summary>The blob name of a segment.</summary>
    public static string Name(long epoch, int partition, long first, long last) =>
        StorageLayout.Raw.Segment(epoch, partition, first, last);

    /// <summary>The prefix of every segment of an epoch.</summary>
    public static string EpochPrefix(long epoch) => StorageLayout.Raw.EpochPrefix(epoch);

    /// <summary>The prefix of one partition's segments in an epoch.</summary>
    public static string PartitionPrefix(long epoch, int partition) =>
        StorageLayout.Raw.PartitionPrefix(epoch, partition);

    /// <summary>
    /// A few name prefixes that together cover exactly the epochs <paramref name="first"/> to
    /// <paramref name="last"/>: aligned decimal blocks (…7, …8, …9, then …1x, …2x, then …1xx and so on),
    /// so listing a long, mostly empty range takes a handful of requests instead of one per epoch.
    /// </summary>
    public static IEnumerable<string> EpochRangePrefixes(long first, long last)
    {
        var epoch = Math.Max(first, 0);
        while (epoch <= last)
        {
            var block = 1L;
            var digits = 0;
            while (digits < 12 && epoch % (block * 10) == 0 && epoch + (block * 10) - 1 <= last)
            {
                block *= 10;
                digits++;
            }

            var text = epoch.ToString("D12", CultureInfo.InvariantCulture);
            yield return digits == 12 ? string.Empty : text[..(12 - digits)];
            epoch += block;
        }
    }

    /// <summary>Lists the segments of epochs [<paramref name="fromEpoch"/>, <paramref name="untilEpoch"/>), of one
    /// partition if given, with a few prefix listings.</summary>
    public static async Task<List<RawSegment>> ListAsync(
        BlobContainerClient raw,
        long fromEpoch,
        long untilEpoch,
        int? partition,
        CancellationToken cancellationToken
    )
    {
        ArgumentNullException.ThrowIfNull(raw);
        var segments = new List<RawSegment>();
        if (fromEpoch <= 0)
        {
            // A range from the start of time: the blocks of epochs before the log's first segment are dozens of
            // empty listings, and one request finds where the log starts (names sort by epoch).
            fromEpoch = await FirstEpochAsync(raw, cancellationToken).ConfigureAwait(false) ?? untilEpoch;
        }

        foreach (var prefix in EpochRangePrefixes(fromEpoch, untilEpoch - 1))
        {
            await foreach (
                var blob in raw.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix }, cancellationToken)
                    .ConfigureAwait(false)
            )
            {
                if (
                    TryParse(blob.Name, out var epoch, out var segmentPartition, out var first, out var last)
                    && epoch >= fromEpoch
                    && epoch < untilEpoch
                    && (partition is null || segmentPartition == partition)
                )
                {
                    segments.Add(new RawSegment(blob.Name, epoch, segmentPartition, first, last));
                }
            }
        }

        return segments;
    }

    private static async Task<long?> FirstEpochAsync(BlobContainerClient raw, CancellationToken cancellationToken)
    {
        await foreach (
            var page in raw.GetBlobsAsync(cancellationToken: cancellationToken)
                .AsPages(pageSizeHint: 1)
                .ConfigureAwait(false)
        )
        {
            foreach (var blob in page.Values)
            {
                return TryParse(blob.Name, out var epoch, out _, out _, out _) ? epoch : 0;
            }
        }

        return null;
    }

    /// <summary>Reads a segment name back.</summary>
    public static bool TryParse(string name, out long epoch, out int partition, out long first, out long last)
    {
        var match = Pattern().Match(name ?? string.Empty);
        epoch = first = last = partition = 0;
        if (!match.Success)
        {
            return false;
        }

        epoch = long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        partition = int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
        first = long.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture);
        last = long.Parse(match.Groups[4].Value, CultureInfo.InvariantCulture);
        return true;
    }

    [GeneratedRegex(@"^(\d{12})/(\d{4})/(\d{20})-(\d{20})\.ndjson\.gz$")]
    private static partial Regex Pattern();
}
