using System.Globalization;
using System.Threading.Channels;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Pipeline.Application.Ingest;
using Pipeline.Application.Storage;
using Pipeline.Domain.Events;
using Pipeline.Storage.Tables;

namespace Pipeline.DevHost;

/// <summary>
/// One emulated partition: gives queued events sequence numbers and enqueued times, groups them into
/// batches (bounded by count and time) and ingests each batch, retrying until it is durable. Sequence
/// numbers are reserved in blocks in storage before use, so after a restart (even a crash) numbering
/// continues past anything handed out before and a raw segment name is never reused for other events.
/// </summary>
internal sealed partial class PartitionPump(
    int partition,
    IngestHandler ingest,
    PipelineStore store,
    ProgressStore progress,
    IOptions<EmulatorOptions> options,
    TimeProvider time,
    ILogger<PartitionPump> logger
)
{
    private const long ReservationBlock = 100_000;
    private static readonly TimeSpan IdleHeartbeat = TimeSpan.FromSeconds(1);
    private readonly Channel<PartitionSlice> _queue = Channel.CreateUnbounded<PartitionSlice>(
        new UnboundedChannelOptions { SingleReader = true }
    );
    private readonly EmulatorOptions _options = options.Value;
    private long _pending;
    private long _nextSequence;
    private long _reservedThrough = -1;
    private ETag _reservationETag;
    private DateTimeOffset _lastEnqueued;
    private Task? _loop;

    /// <summary>Events queued and not yet ingested.</summary>
    public long Queued => Interlocked.Read(ref _pending);

    public bool TryReserve(int count)
    {
        var after = Interlocked.Add(ref _pending, count);
        if (after > _options.QueueCapacity && after != count)
        {
            Interlocked.Add(ref _pending, -count);
            return false;
        }

        return true;
    }

    public void Release(int count) => Interlocked.Add(ref _pending, -count);

    public void Enqueue(PartitionSlice slice) => _queue.Writer.TryWrite(slice);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var applied = await progress.GetAsync(partition, cancellationToken);
        var reservation = await store.Sequences.GetEntityOrNullAsync(
            "partition",
            RowKey,
            cancellationToken: cancellationToken
        );
        _reservedThrough = reservation?.GetInt64("ReservedThrough") ?? -1;
        _reservationETag = reservation?.ETag ?? default;
        _nextSequence = Math.Max(_reservedThrough, applied.LastSequence) + 1;
        _lastEnqueued = applied.Watermark;
        _loop = Task.Run(RunAsync, CancellationToken.None);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        if (_loop is not null)
        {
            await _loop.WaitAsync(cancellationToken);
        }
    }

    private string RowKey => partition.ToString("D4", CultureInfo.InvariantCulture);

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        while (true)
        {
            using (var idle = new CancellationTokenSource(IdleHeartbeat, time))
            {
                try
                {
                    if (!await reader.WaitToReadAsync(idle.Token))
                    {
                        return;
                    }
                }
                catch (OperationCanceledException)
                {
                    await HeartbeatAsync();
                    continue;
                }
            }

            var slices = new List<PartitionSlice>();
            var count = 0;
            var deadline = time.GetUtcNow() + _options.MaxBatchDelay;
            while (count < _options.MaxBatchEvents)
            {
                if (reader.TryRead(out var slice))
                {
                    slices.Add(slice);
                    count += slice.Events.Count;
                    continue;
                }

                var wait = deadline - time.GetUtcNow();
                if (wait <= TimeSpan.Zero || reader.Completion.IsCompleted)
                {
                    break;
                }

                using var timeout = new CancellationTokenSource(wait, time);
                try
                {
                    await reader.WaitToReadAsync(timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }

            if (slices.Count > 0)
            {
                await IngestAsync(slices, count);
            }
        }
    }

    private async Task IngestAsync(List<PartitionSlice> slices, int count)
    {
        try
        {
            await ReserveAsync(count);
            var events = new List<IncomingEvent>(count);
            var enqueued = time.GetUtcNow();
            enqueued = enqueued > _lastEnqueued ? enqueued : _lastEnqueued.AddTicks(1);
            _lastEnqueued = enqueued;
            foreach (var slice in slices)
            {
                foreach (var body in slice.Events)
                {
                    events.Add(new IncomingEvent(body, _nextSequence++, enqueued));
                }
            }

            await IngestUntilDurableAsync(new IngestBatch(partition, events));
            foreach (var slice in slices)
            {
                var valid = slice.Events.Count(body => CloudEventParser.TryParse(body, enqueued, out _, out _));
                slice.Request.PartitionDone(valid, slice.Events.Count - valid);
            }
        }
        catch (Exception ex)
            when (ex
                    is RequestFailedException
                        or HttpRequestException
                        or OperationCanceledException
                        or InvalidOperationException
            )
        {
            foreach (var slice in slices)
            {
                slice.Request.Fail(ex);
            }
        }
        finally
        {
            Release(count);
        }
    }

    /// <summary>
    /// An idle partition still moves its watermark forward (once per epoch): its next events will be
    /// stamped later anyway, and without this one quiet partition would keep every epoch from sealing.
    /// </summary>
    private async Task HeartbeatAsync()
    {
        var now = time.GetUtcNow();
        if (ingest.Clock.EpochOf(now) <= ingest.Clock.EpochOf(_lastEnqueued))
        {
            return;
        }

        try
        {
            var current = await progress.GetAsync(partition);
            await progress.AdvanceAsync(current, current.LastSequence, now);
            _lastEnqueued = now;
        }
        catch (RequestFailedException ex)
        {
            LogHeartbeatFailed(ex, partition);
        }
    }

    /// <summary>At least once: a batch whose ingest failed is retried with the same numbers until it
    /// succeeds.</summary>
    private async Task IngestUntilDurableAsync(IngestBatch batch)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await ingest.IngestAsync(batch);
                return;
            }
            catch (Exception ex)
                when (attempt < 20
                    && ex
                        is RequestFailedException
                            or HttpRequestException
                            or InvalidOperationException
                            or TimeoutException
                )
            {
                LogRetry(ex, partition, batch.Events.Count, attempt);
                await Task.Delay(delay, time);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }

    private async Task ReserveAsync(int count)
    {
        if (_nextSequence + count - 1 <= _reservedThrough)
        {
            return;
        }

        var through = _nextSequence + count - 1 + ReservationBlock;
        var row = new TableEntity("partition", RowKey) { ["ReservedThrough"] = through };
        var response =
            _reservationETag == default
                ? await store.Sequences.AddEntityAsync(row)
                : await store.Sequences.UpdateEntityAsync(row, _reservationETag, TableUpdateMode.Replace);
        _reservationETag = response.Headers.ETag ?? default;
        _reservedThrough = through;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Watermark heartbeat of partition {Partition} failed")]
    private partial void LogHeartbeatFailed(Exception error, int partition);

    [LoggerMessage(
        Level = LogLevel.Warning,
        Message = "Ingest of {Count} events of partition {Partition} failed (attempt {Attempt}); retrying"
    )]
    private partial void LogRetry(Exception error, int partition, int count, int attempt);
}
