using System.Globalization;
using Pipeline.Domain.Views;

namespace Pipeline.Application.Storage;

/// <summary>
/// Every table key, partition key and blob name the pipeline writes, in one place, so that what is written
/// under a name and what is read, listed or deleted under it always agree. A view version appears in all of
/// them in its one text form, <c>name@version</c> (<see cref="ViewVersion"/>).
/// </summary>
public static class StorageLayout
{
    /// <summary>
    /// The layout's version, recorded with the data: a start on data written with another layout fails
    /// naming both, instead of reading rows it would misunderstand.
    /// </summary>
    public const int Version = 2;

    /// <summary>The longest value part of a key (a dimension value, encoded): keys fit storage by
    /// construction.</summary>
    public const int MaxKeyPart = 160;

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Any string as a part of a Table key, at most <see cref="MaxKeyPart"/> characters whatever the value: its
    /// encoded form (<see cref="KeyEncoding"/>: readable, reversible, no character a key forbids) when that is
    /// short enough, else the encoded form's beginning, <c>~</c> and a 128-bit hash of the whole value. Rows
    /// keep the whole value beside the key, so nothing is lost to the bound, and two values never share a key.
    /// </summary>
    public static string KeyPart(string value)
    {
        var encoded = KeyEncoding.Encode(value);
        if (encoded.Length <= MaxKeyPart)
        {
            return encoded;
        }

        var hash = System.IO.Hashing.XxHash128.HashToUInt128(System.Text.Encoding.UTF8.GetBytes(value));
        return Invariant($"{encoded[..(MaxKeyPart - 33)]}~{hash:x32}");
    }

    /// <summary>Per-partition rows (progress): PartitionKey and RowKey.</summary>
    public static class Partitions
    {
        /// <summary>The PartitionKey of every partition's row.</summary>
        public const string PartitionKey = "partition";

        /// <summary>The RowKey of one partition.</summary>
        public static string RowKey(int partition) => Invariant($"{partition:D4}");
    }

    /// <summary>Settings kept with the data (table <c>pointers</c>).</summary>
    public static class Settings
    {
        /// <summary>Their PartitionKey.</summary>
        public const string PartitionKey = "setting";

        /// <summary>The epoch length the data was written with.</summary>
        public const string EpochLength = "epoch-length";

        /// <summary>The storage layout the data was written with.</summary>
        public const string Layout = "layout";
    }

    /// <summary>View pointers, registrations and routings (table <c>pointers</c>).</summary>
    public static class Views
    {
        /// <summary>The PartitionKey of committed batch view pointers (RowKey: the view version).</summary>
        public const string PointerPartition = "pointer";

        /// <summary>The PartitionKey of version registrations (RowKey: the view version).</summary>
        public const string RegistrationPartition = "version";

        /// <summary>The PartitionKey of routings (RowKey: the view's name).</summary>
        public const string RoutingPartition = "routing";

        /// <summary>The RowKey of a view version.</summary>
        public static string RowKey(ViewVersion version) => version.ToString();
    }

    /// <summary>Rows of the operations table: recompute locks, shadow differences, audit reports.</summary>
    public static class Operations
    {
        /// <summary>The PartitionKey of recompute locks (RowKey: the view version).</summary>
        public const string LockPartition = "lock";

        /// <summary>The PartitionKey of one view's shadow differences.</summary>
        public static string ShadowPartition(string view) => $"shadow.{view}";

        /// <summary>The PartitionKey of one view's audit reports.</summary>
        public static string AuditPartition(string view) => $"audit.{view}";

        /// <summary>A RowKey that sorts newest first.</summary>
        public static string NewestFirst(DateTimeOffset at, string suffix) =>
            Invariant($"{DateTimeOffset.MaxValue.Ticks - at.Ticks:D19}-{suffix}");
    }

    /// <summary>Speed rows (table <c>speed</c>).</summary>
    public static class Speed
    {
        /// <summary>The PartitionKey prefix of every row of a view version (ends with a dot).</summary>
        public static string VersionPrefix(ViewVersion version) => $"{version}.";

        /// <summary>The PartitionKey prefix of one view day across partitions (ends with a dot).</summary>
        public static string DayPrefix(ViewVersion version, DateTime windowStart) =>
            Invariant($"{version}.{windowStart:yyyy-MM-dd}.");

        /// <summary>The PartitionKey of one view day of one partition.</summary>
        public static string PartitionKey(ViewVersion version, DateTime windowStart, int partition) =>
            Invariant($"{DayPrefix(version, windowStart)}{partition:D4}");

        /// <summary>The RowKey of one key's partial of one epoch: the key's prefix and the epoch.</summary>
        public static string RowKey(string keyPrefix, long epoch) => Invariant($"{keyPrefix}{epoch:D12}");
    }

    /// <summary>Batch view rows (table <c>batch</c>).</summary>
    public static class Batch
    {
        /// <summary>The PartitionKey prefix of every row of a view version (ends with a dot).</summary>
        public static string VersionPrefix(ViewVersion version) => $"{version}.";

        /// <summary>The PartitionKey prefix of one cutoff's rows (ends with a dot).</summary>
        public static string CutoffPrefix(ViewVersion version, long cutoff) => Invariant($"{version}.{cutoff:D12}.");

        /// <summary>The PartitionKey of one day of one cutoff's rows.</summary>
        public static string PartitionKey(ViewVersion version, long cutoff, DateTime windowStart) =>
            Invariant($"{CutoffPrefix(version, cutoff)}{windowStart:yyyy-MM-dd}");
    }

    /// <summary>Blobs of the raw log (container <c>raw</c>).</summary>
    public static class Raw
    {
        /// <summary>A segment: <c>{epoch:D12}/{partition:D4}/{first:D20}-{last:D20}.ndjson.gz</c>.</summary>
        public static string Segment(long epoch, int partition, long first, long last) =>
            Invariant($"{epoch:D12}/{partition:D4}/{first:D20}-{last:D20}.ndjson.gz");

        /// <summary>The prefix of every segment of an epoch.</summary>
        public static string EpochPrefix(long epoch) => Invariant($"{epoch:D12}/");

        /// <summary>The prefix of one partition's segments in an epoch.</summary>
        public static string PartitionPrefix(long epoch, int partition) => Invariant($"{epoch:D12}/{partition:D4}/");
    }

    /// <summary>Blobs of the quarantine (container <c>quarantine</c>).</summary>
    public static class Quarantine
    {
        /// <summary>One quarantined event: <c>{partition:D4}/{sequence:D20}.json</c>.</summary>
        public static string Entry(int partition, long sequenceNumber) =>
            Invariant($"{partition:D4}/{sequenceNumber:D20}.json");
    }

    /// <summary>Intermediate blobs of batch runs (container <c>batch-work</c>).</summary>
    public static class Work
    {
        /// <summary>The prefix of a run's own outputs (its operation id, then a slash).</summary>
        public static string RunPrefix(string operation) => $"{operation}/";

        /// <summary>The name (without extension) of one fold chunk's outputs.</summary>
        public static string Chunk(string operation, int partition, int chunk) =>
            Invariant($"{RunPrefix(operation)}partition-{partition:D4}.chunk-{chunk:D4}");

        /// <summary>The prefix of every identity index.</summary>
        public const string IdentitiesPrefix = "identities/";

        /// <summary>One shard of the identity index at a cutoff, for a retry horizon and a number of shards: the
        /// blob's own name is the cutoff, so indexes below a cutoff are found by name.</summary>
        public static string Identities(TimeSpan horizon, int shards, int shard, long cutoff) =>
            Invariant($"{IdentitiesPrefix}h{(long)horizon.TotalSeconds}/{shards:D4}/{shard:D4}/{cutoff:D12}.bin");

        /// <summary>
        /// Where one identity shard's settling of [since, cutoff) is kept (its exclusions, then its result), for every
        /// view's run with the same plan: settling depends on the log, not on the view. Beside the shard's index, and
        /// named by the cutoff, so it goes when the index does.
        /// </summary>
        public static string Settled(
            TimeSpan horizon,
            int shards,
            int shard,
            long since,
            long cutoff,
            long chunkEvents,
            string extension
        ) =>
            Invariant($"{IdentitiesPrefix}h{(long)horizon.TotalSeconds}/{shards:D4}/{shard:D4}/")
            + Invariant($"settled-{since:D12}-c{chunkEvents}/{cutoff:D12}.{extension}");

        /// <summary>The prefix of a view version's complete partials.</summary>
        public static string CumulativePrefix(ViewVersion version) => $"views/{version}/";

        /// <summary>A view version's complete partials at a cutoff, all days in one blob (written before the
        /// partials were kept per day; still read as the base of the next run).</summary>
        public static string Cumulative(ViewVersion version, long cutoff) =>
            Invariant($"{CumulativePrefix(version)}{cutoff:D12}.partials");

        /// <summary>The prefix of a view version's complete partials kept per day.</summary>
        public static string DayPartialsPrefix(ViewVersion version) => $"{CumulativePrefix(version)}days/";

        /// <summary>A view version's complete partials of one day, as the run at a cutoff wrote them.</summary>
        public static string DayPartials(ViewVersion version, DateTime day, long cutoff) =>
            Invariant($"{DayPartialsPrefix(version)}{day:yyyy-MM-dd}.{cutoff:D12}.partials");

        /// <summary>The prefix of a view version's lists of served day copies.</summary>
        public static string ServedDaysPrefix(ViewVersion version) => $"{CumulativePrefix(version)}served/";

        /// <summary>The list of served day copies of a run at a cutoff that built on the one at
        /// <paramref name="since"/> (0: a full run). Runs with the same two write the same list.</summary>
        public static string ServedDays(ViewVersion version, long cutoff, long since) =>
            Invariant($"{ServedDaysPrefix(version)}{cutoff:D12}.from-{since:D12}.days");

        /// <summary>The prefix of what the speed layer said before its rows of a view version were retired.</summary>
        public static string SpeedSaidPrefix(ViewVersion version) => $"speed-said.{version}.";

        /// <summary>What the speed layer said of a view version's epochs below a retirement cutoff.</summary>
        public static string SpeedSaid(ViewVersion version, long cutoff) =>
            Invariant($"{SpeedSaidPrefix(version)}{cutoff:D12}");
    }
}
