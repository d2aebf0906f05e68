using System.Collections.Concurrent;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.Application.Configuration;
using Pipeline.Application.Quarantine;
using Pipeline.Application.RawLog;
using Pipeline.Application.Speed;
using Pipeline.Application.Storage;
using Pipeline.Application.Time;
using Pipeline.Domain.Epochs;
using Pipeline.Domain.Events;

namespace Pipeline.Application.Ingest;

/// <summary>
/// Ingests one batch of one partition, whoever delivers it (the Event Hubs trigger in Azure, the dev
/// host locally): quarantines invalid events with their reasons, writes the valid ones to the raw log,
/// applies them to the speed views and advances the partition's progress. Safe to call again with any
/// part of what it already ingested, with other batch boundaries, and from two processes at once.
/// Batches of one partition are applied one at a time; partitions proceed in parallel.
/// </summary>
public sealed partial class IngestHandler
{
    private readonly ConcurrentDictionary<int, PartitionState> _partitions = new();
    private readonly PipelineStore _store;
    private readonly ProgressStore _progress;
    private readonly RawLogWriter _rawLog;
    private readonly QuarantineWriter _quarantine;
    private readonly SpeedLayerWriter _speed;
    private readonly PipelineClock _clock;
    private readonly TimeSpan _dedupWindow;
    private readonly ILogger<IngestHandler> _logger;

    /// <summary>Creates the handler.</summary>
    public IngestHandler(
        PipelineStore store,
        ProgressStore progress,
        Domain.Views.ViewRegistry registry,
        PipelineClock clock,
        IOptions<PipelineOptions> options,
        ILoggerFactory loggerFactory,
        IngestMetrics metrics,
        Versions.SpecRegistry? specs = null
    )
    {
        ArgumentNullException.ThrowIfNull(metrics);
        Metrics = metrics;
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _store = store;
        _progress = progress;
        _rawLog = new RawLogWriter(store);
        _quarantine = new QuarantineWriter(store);
        _speed = new SpeedLayerWriter(store, registry, specs, clock, loggerFactory.CreateLogger<SpeedLayerWriter>());
        _clock = clock;
        _dedupWindow = options.Value.DedupWindow;
        _logger = loggerFactory.CreateLogger<IngestHandler>();
    }

    /// <summary>What this handler ingested lately.</summary>
    public IngestMetrics Metrics { get; }

    /// <summary>The epoch clock in use.</summary>
    public EpochClock Clock => _clock.Epochs;

    /// <summary>Ingests one batch; returns once its events are durable in the raw log and applied to the speed
    /// views.</summary>
    public async Task<IngestResult> IngestAsync(IngestBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Events.Count == 0)
        {
            return new IngestResult(0, 0, 0, 0);
        }

        for (var i = 1; i < batch.Events.Count; i++)
        {
            if (batch.Events[i].SequenceNumber <= batch.Events[i - 1].SequenceNumber)
            {
                throw new ArgumentException(
                    $"batch of partition {batch.Partition} is not in increasing sequence order at index {i}",
                    nameof(batch)
                );
            }
        }

        var state = _partitions.GetOrAdd(batch.Partition, p => new PartitionState(p, _dedupWindow));
        await state.Lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (state.Progress is null)
            {
                await InitializeAsync(state, cancellationToken).ConfigureAwait(false);
            }
            else if (batch.Events[0].SequenceNumber > state.Progress.LastSequence + 1)
            {
                state = await RejoinAsync(state, cancellationToken).ConfigureAwait(false);
            }

            return await IngestLockedAsync(state, batch, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            state.Lock.Release();
        }
    }

    /// <summary>
    /// Makes sure this process knows a partition (its progress, its recent event ids, its logged tail applied)
    /// before anything is numbered for it; returns its progress.
    /// </summary>
    public async Task<PartitionProgress> RecoverAsync(int partition, CancellationToken cancellationToken = default)
    {
        var state = _partitions.GetOrAdd(partition, p => new PartitionState(p, _dedupWindow));
        await state.Lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (state.Progress is null)
            {
                await InitializeAsync(state, cancellationToken).ConfigureAwait(false);
            }

            return state.Progress!;
        }
        finally
        {
            state.Lock.Release();
        }
    }

    /// <summary>
    /// A batch beyond what this process applied: when another process moved the partition meanwhile (it
    /// owned it for a while, as Event Hubs moves partitions between instances), what this process remembers
    /// of it is out of date, so it starts over from storage and the log, as on first use. The caller holds the
    /// partition's lock, which the new state shares.
    /// </summary>
    private async Task<PartitionState> RejoinAsync(PartitionState state, CancellationToken cancellationToken)
    {
        var stored = await _progress.GetAsync(state.Partition, cancellationToken).ConfigureAwait(false);
        if (stored.LastSequence == state.Progress!.LastSequence)
        {
            return state; // nobody else applied anything: the gap is the hub's (retention), not another owner's
        }

        LogRejoining(state.Partition, state.Progress.LastSequence, stored.LastSequence);
        var fresh = new PartitionState(state.Partition, _dedupWindow, state.Lock);
        _partitions[state.Partition] = fresh;
        await InitializeAsync(fresh, cancellationToken).ConfigureAwait(false);
        return fresh;
    }

    private async Task<IngestResult> IngestLockedAsync(
        PartitionState state,
        IngestBatch batch,
        CancellationToken cancellationToken
    )
    {
        var accepted = new List<AcceptedEvent>(batch.Events.Count);
        var quarantined = new List<Task>();
        var quarantinedSequences = new List<long>();
        var reasons = new List<Domain.Events.RejectionReason>();
        foreach (var incoming in batch.Events)
        {
            if (
                // Validity for a view is no reason to refuse an event: the raw log keeps every valid CloudEvent
                // (a view registered later may want it), and an aggregate skips a value it cannot use.
                CloudEventParser.TryParse(incoming.Body, incoming.EnqueuedTime, out var cloudEvent, out var rejection)
            )
            {
                accepted.Add(
                    new AcceptedEvent(
                        cloudEvent,
                        incoming.SequenceNumber,
                        incoming.EnqueuedTime,
                        _clock.EpochOf(incoming.EnqueuedTime),
                        EventIdentity.Of(cloudEvent)
                    )
                );
            }
            else
            {
                quarantined.Add(_quarantine.WriteAsync(batch.Partition, incoming, rejection, cancellationToken));
                quarantinedSequences.Add(incoming.SequenceNumber);
                reasons.Add(rejection.Reason);
            }
        }

        var retries = 0;
        foreach (var e in accepted)
        {
            e.IsProducerRetry = state.Recent.IsRetry(e.Identity, e.SequenceNumber, e.EnqueuedTime);
            retries += e.IsProducerRetry ? 1 : 0;
        }

        var segments = accepted
            .GroupBy(e => e.Epoch)
            .Select(g => _rawLog.WriteSegmentAsync(batch.Partition, g.Key, [.. g], cancellationToken));
        await Task.WhenAll(quarantined.Concat(segments)).ConfigureAwait(false);
        var cannotApply = await ApplyToSpeedAsync(state, batch.Partition, accepted, cancellationToken)
            .ConfigureAwait(false);
        reasons.AddRange(Enumerable.Repeat(Domain.Events.RejectionReason.CannotApply, cannotApply.Count));
        quarantinedSequences.AddRange(cannotApply);
        var quarantinedCount = quarantinedSequences.Count;

        var alreadyApplied = accepted.Count(e => e.SequenceNumber <= state.Progress!.LastSequence);
        var watermark = batch.Events.Max(e => e.EnqueuedTime);
        state.Progress = await _progress
            .AdvanceAsync(state.Progress!, batch.Events[^1].SequenceNumber, watermark, cancellationToken)
            .ConfigureAwait(false);
        state.Recent.Evict(state.Progress.Watermark);
        Metrics.Record(accepted.Count - alreadyApplied - cannotApply.Count, reasons);
        if (quarantinedCount > 0)
        {
            LogQuarantined(
                quarantinedCount,
                batch.Partition,
                string.Join(", ", reasons.CountBy(r => r).Select(r => $"{r.Key} {r.Value}"))
            );
        }

        var applied = accepted.Count - cannotApply.Count;
        return new IngestResult(applied, quarantinedCount, retries, alreadyApplied, quarantinedSequences);
    }

    /// <summary>
    /// Applies the batch to the speed views. A failure retrying can cure (storage, the network) is thrown, so
    /// the batch is delivered again; any other means an event cannot be applied: the events are then applied
    /// one by one, and each one that fails so is quarantined with the reason (it stays in the raw log) while
    /// the others are applied, so no event can stop its partition. Returns the quarantined events' sequence numbers.
    /// </summary>
    private async Task<IReadOnlyList<long>> ApplyToSpeedAsync(
        PartitionState state,
        int partition,
        List<AcceptedEvent> accepted,
        CancellationToken cancellationToken
    )
    {
        try
        {
            await _speed.ApplyAsync(state.Speed, partition, accepted, cancellationToken).ConfigureAwait(false);
            return [];
        }
        catch (Exception ex) when (!TransientFailures.IsTransient(ex) && !cancellationToken.IsCancellationRequested)
        {
            LogIsolating(ex, partition, accepted.Count);
        }

        var quarantined = new List<long>();
        foreach (var one in accepted)
        {
            try
            {
                await _speed.ApplyAsync(state.Speed, partition, [one], cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!TransientFailures.IsTransient(ex) && !cancellationToken.IsCancellationRequested)
            {
                var incoming = new IncomingEvent(one.Event.Utf8, one.SequenceNumber, one.EnqueuedTime);
                var reason = new Domain.Events.EventRejection(
                    Domain.Events.RejectionReason.CannotApply,
                    $"the speed views could not apply it ({ex.GetType().Name}: {ex.Message}); it stays in the raw log"
                );
                await _quarantine.WriteAsync(partition, incoming, reason, cancellationToken).ConfigureAwait(false);
                quarantined.Add(one.SequenceNumber);
            }
        }

        return quarantined;
    }

    /// <summary>
    /// On first use of a partition in this process: reads its progress, rebuilds the memory of recent
    /// event ids from the raw log (so producer retries are dropped across a restart too), and re-applies
    /// the log's tail beyond the recorded progress: a batch that reached the raw log but whose speed
    /// writes were cut short (a crash) is completed from the log, whether or not it is delivered again.
    /// </summary>
    private async Task InitializeAsync(PartitionState state, CancellationToken cancellationToken)
    {
        var progress = await _progress.GetAsync(state.Partition, cancellationToken).ConfigureAwait(false);
        var now = _clock.UtcNow;
        var from =
            progress.LastSequence >= 0 ? progress.Watermark - _dedupWindow : now - _dedupWindow - RecoveryLookBack;
        var firstEpoch = Math.Max(_clock.EpochOf(from), _clock.EpochOf(now) - MaxEpochsScanned);
        // The log may run ahead of this process's clock (the hub stamps enqueued times): scan up to the later of both.
        var lastEpoch =
            Math.Max(
                _clock.EpochOf(now),
                progress.LastSequence >= 0 ? _clock.EpochOf(progress.Watermark) : long.MinValue
            ) + 1;
        var tail = new List<RawRecord>();
        var remembered = 0;
        await Parallel
            .ForEachAsync(
                RawSegments.EpochRangePrefixes(firstEpoch, lastEpoch),
                new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
                async (prefix, ct) =>
                {
                    await foreach (
                        var blob in _store
                            .Raw.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix }, ct)
                            .ConfigureAwait(false)
                    )
                    {
                        if (
                            !RawSegments.TryParse(blob.Name, out var epoch, out var partition, out _, out _)
                            || partition != state.Partition
                            || epoch < firstEpoch
                            || epoch > lastEpoch
                        )
                        {
                            continue;
                        }

                        try
                        {
                            await RawSegmentReader
                                .ReadBlobAsync(
                                    _store.Raw,
                                    blob.Name,
                                    records => Remember(state, records, progress.LastSequence, tail, ref remembered),
                                    ct
                                )
                                .ConfigureAwait(false);
                        }
                        catch (InvalidDataException ex)
                        {
                            // A damaged segment must not stop the partition's ingest; the batch layer refuses to use it
                            // and says so.
                            LogDamagedSegment(ex, blob.Name);
                        }
                    }
                }
            )
            .ConfigureAwait(false);

        state.Progress = progress;
        if (remembered > 0)
        {
            LogRebuilt(state.Partition, remembered, firstEpoch, lastEpoch);
        }

        if (tail.Count > 0)
        {
            var unapplied = tail.DistinctBy(r => r.SequenceNumber)
                .OrderBy(r => r.SequenceNumber)
                .Select(r => new IncomingEvent(r.Event, r.SequenceNumber, r.EnqueuedTime))
                .ToList();
            LogRecovering(state.Partition, unapplied.Count, unapplied[0].SequenceNumber, unapplied[^1].SequenceNumber);
            await IngestLockedAsync(state, new IngestBatch(state.Partition, unapplied), cancellationToken)
                .ConfigureAwait(false);
        }
    }

    /// <summary>How far back to look for a partition's log when it has no recorded progress at all.</summary>
    private static readonly TimeSpan RecoveryLookBack = TimeSpan.FromHours(1);

    /// <summary>The most epochs a start-up scan covers (the newest ones).</summary>
    private const long MaxEpochsScanned = 1_000_000;

    private static void Remember(
        PartitionState state,
        IReadOnlyList<RawRecord> records,
        long applied,
        List<RawRecord> tail,
        ref int remembered
    )
    {
        lock (state.Recent)
        {
            foreach (var record in records)
            {
                if (CloudEventParser.TryParse(record.Event, record.EnqueuedTime, out var cloudEvent, out _))
                {
                    state.Recent.IsRetry(EventIdentity.Of(cloudEvent), record.SequenceNumber, record.EnqueuedTime);
                    remembered++;
                }

                if (record.SequenceNumber > applied)
                {
                    // The chunk's memory is reused after this call: keep a copy.
                    tail.Add(record with { Event = record.Event.ToArray() });
                }
            }
        }
    }

    [LoggerMessage(
        Level = LogLevel.Information,
        Message = "Partition {Partition}: another process applied it from {Mine} to {Theirs} meanwhile; "
            + "starting over from storage and the raw log"
    )]
    private partial void LogRejoining(int partition, long mine, long theirs);

    [LoggerMessage(
        Level = LogLevel.Error,
        Message = "Partition {Partition}: a batch of {Count} events cannot be applied; "
            + "applying them one by one to quarantine the events at fault"
    )]
    private partial void LogIsolating(Exception error, int partition, int count);

    [LoggerMessage(
        Level = LogLevel.Warning,
        Message = "Quarantined {Count} events of partition {Partition}: {Reasons} (GET /api/quarantine lists them)"
    )]
    private partial void LogQuarantined(int count, int partition, string reasons);

    [LoggerMessage(
        Level = LogLevel.Information,
        Message = "Partition {Partition}: remembered {Count} recent event ids from raw epochs {First}..{Last}"
    )]
    private partial void LogRebuilt(int partition, int count, long first, long last);

    [LoggerMessage(
        Level = LogLevel.Error,
        Message = "Raw segment {Segment} is damaged; skipped while remembering recent event ids"
    )]
    private partial void LogDamagedSegment(Exception error, string segment);

    [LoggerMessage(
        Level = LogLevel.Warning,
        Message = "Partition {Partition}: re-applying {Count} logged events ({First}..{Last}) beyond the recorded "
            + "progress"
    )]
    private partial void LogRecovering(int partition, int count, long first, long last);

    private sealed class PartitionState(int partition, TimeSpan dedupWindow, SemaphoreSlim? shared = null)
    {
        public int Partition { get; } = partition;

        public SemaphoreSlim Lock { get; } = shared ?? new(1, 1);

        public PartitionProgress? Progress { get; set; }

        public RecentEvents Recent { get; } = new(dedupWindow);

        public PartitionSpeedCache Speed { get; } = new();
    }
}
