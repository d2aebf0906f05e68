using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Pipeline.Application.Ingest;

namespace Pipeline.DevHost;

/// <summary>
/// One emulated partition, as Event Hubs keeps one: it gives queued events consecutive sequence numbers and
/// enqueued times (what it has numbered is what the hub holds), groups them into batches (bounded by count and
/// time) and delivers each batch to ingest until it is durable, however long storage fails, as the Event Hubs
/// trigger redelivers. Numbering continues after the partition's applied progress once its logged tail has
/// been applied, so a raw segment name is never reused for other events; events numbered but never made
/// durable before a crash were never acknowledged, so their numbers may be given again.
/// </summary>
internal sealed partial class PartitionPump(
    int partition,
    IngestHandler ingest,
    IOptions<EmulatorOptions> options,
    TimeProvider time,
    ILogger<PartitionPump> logger
) : IDisposable
{
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);
    private readonly Channel<PartitionSlice> _queue = Channel.CreateUnbounded<PartitionSlice>(
        new UnboundedChannelOptions { SingleReader = true }
    );
    private readonly EmulatorOptions _options = options.Value;
    private readonly CancellationTokenSource _stopping = new();
    private readonly object _numbering = new();
    private long _pending;
    private long _nextSequence;
    private DateTimeOffset _lastEnqueued;
    private Task? _loop;

    /// <summary>Events queued and not yet ingested.</summary>
    public long Queued => Interlocked.Read(ref _pending);

    /// <summary>What Event Hubs would say of this partition: its last enqueued event, or that it holds none.</summary>
    public HubPartition Properties()
    {
        lock (_numbering)
        {
            return HubPartition.Numbered(partition, _nextSequence - 1, _nextSequence == 0 ? null : _lastEnqueued);
        }
    }

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
        // The logged tail beyond the applied progress is applied first: numbering then continues after it.
        var applied = await ingest.RecoverAsync(partition, cancellationToken);
        _nextSequence = applied.LastSequence + 1;
        _lastEnqueued = applied.Watermark;
        _loop = Task.Run(RunAsync, CancellationToken.None);
    }

    /// <summary>Drains what was accepted; when the host's patience ends first, what is left fails its
    /// publishes.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await using var giveUp = cancellationToken.Register(() => _stopping.Cancel());
        if (_loop is not null)
        {
            await _loop;
        }
    }

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync())
        {
            var slices = new List<PartitionSlice>();
            var count = 0;
            try
            {
                count = await CollectAsync(reader, slices);
                await IngestAsync(slices, count);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !_stopping.IsCancellationRequested)
            {
                // No failure may end the partition's loop: the publishes of this batch fail, the next batch goes on.
                LogBatchFailed(ex, partition);
                Fail(slices, ex);
            }
            finally
            {
                Release(count);
            }
        }
    }

    /// <summary>Takes queued slices into one batch, waiting up to the batch delay to fill it.</summary>
    private async Task<int> CollectAsync(ChannelReader<PartitionSlice> reader, List<PartitionSlice> slices)
    {
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

        return count;
    }

    private async Task IngestAsync(List<PartitionSlice> slices, int count)
    {
        var events = new List<IncomingEvent>(count);
        var ranges = new List<(PartitionSlice Slice, long First, long Last)>(slices.Count);
        lock (_numbering)
        {
            var enqueued = time.GetUtcNow();
            enqueued = enqueued > _lastEnqueued ? enqueued : _lastEnqueued.AddTicks(1);
            _lastEnqueued = enqueued;
            foreach (var slice in slices)
            {
                var first = _nextSequence;
                foreach (var body in slice.Events)
                {
                    events.Add(new IncomingEvent(body, _nextSequence++, enqueued));
                }

                ranges.Add((slice, first, _nextSequence - 1));
            }
        }

        var result = await IngestUntilDurableAsync(new IngestBatch(partition, events));
        var quarantined = result.QuarantinedSequences ?? [];
        foreach (var (slice, first, last) in ranges)
        {
            var refused = quarantined.Count(s => s >= first && s <= last);
            slice.Request.PartitionDone(slice.Events.Count - refused, refused);
        }
    }

    /// <summary>
    /// At least once, for as long as it takes: a batch whose ingest failed is delivered again with the same
    /// numbers, with a back-off up to five seconds, until it is durable or the host gives up stopping.
    /// </summary>
    private async Task<IngestResult> IngestUntilDurableAsync(IngestBatch batch)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await ingest.IngestAsync(batch, _stopping.Token);
            }
            catch (Exception ex) when (!_stopping.IsCancellationRequested)
            {
                LogRetry(ex, partition, batch.Events.Count, attempt);
                await Task.Delay(delay, time, _stopping.Token);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
            }
        }
    }

    public void Dispose() => _stopping.Dispose();

    private static void Fail(List<PartitionSlice> slices, Exception error)
    {
        foreach (var slice in slices)
        {
            slice.Request.Fail(error);
        }
    }

    [LoggerMessage(
        Level = LogLevel.Warning,
        Message = "Ingest of {Count} events of partition {Partition} failed (attempt {Attempt}); delivering it again"
    )]
    private partial void LogRetry(Exception error, int partition, int count, int attempt);

    [LoggerMessage(
        Level = LogLevel.Error,
        Message = "A batch of partition {Partition} failed; its publishes get the error"
    )]
    private partial void LogBatchFailed(Exception error, int partition);
}
