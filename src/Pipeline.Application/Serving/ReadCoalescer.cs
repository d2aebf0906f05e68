using System.Collections.Concurrent;

namespace Pipeline.Application.Serving;

/// <summary>
/// Collapses concurrent reads of the same key into as few storage reads as possible without serving
/// anything older than the request: a caller that arrives while a read is running waits for the next
/// read, which starts only when the running one ends, and shares it with everyone who arrived
/// meanwhile. So every answer reflects storage at some moment after its request arrived (a write
/// acknowledged before the request is always seen), while a hot key costs at most one read in flight.
/// </summary>
internal sealed class ReadCoalescer<TKey, TValue>(Func<TKey, Task<TValue>> read)
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, Slot> _slots = new();

    public Task<TValue> ReadAsync(TKey key, CancellationToken cancellationToken)
    {
        while (true)
        {
            var slot = _slots.GetOrAdd(key, static _ => new Slot());
            lock (slot)
            {
                if (slot.Retired)
                {
                    continue;
                }

                if (slot.Running is null)
                {
                    slot.Running = Start(key, slot);
                    return slot.Running.WaitAsync(cancellationToken);
                }

                slot.Next ??= new TaskCompletionSource<TValue>(TaskCreationOptions.RunContinuationsAsynchronously);
                return slot.Next.Task.WaitAsync(cancellationToken);
            }
        }
    }

    private Task<TValue> Start(TKey key, Slot slot)
    {
        // The shared read runs to completion whoever gave up waiting: others may be waiting on it.
        var running = Task.Run(() => read(key), CancellationToken.None);
        _ = running.ContinueWith(
            _ => Finished(key, slot),
            CancellationToken.None,
            TaskContinuationOptions.None,
            TaskScheduler.Default
        );
        return running;
    }

    private void Finished(TKey key, Slot slot)
    {
        lock (slot)
        {
            var waiting = slot.Next;
            slot.Next = null;
            if (waiting is null)
            {
                slot.Running = null;
                slot.Retired = true;
                _slots.TryRemove(new KeyValuePair<TKey, Slot>(key, slot));
                return;
            }

            slot.Running = Start(key, slot);
            _ = slot.Running.ContinueWith(
                next =>
                {
                    if (next.IsCompletedSuccessfully)
                    {
                        waiting.TrySetResult(next.Result);
                    }
                    else
                    {
                        waiting.TrySetException(next.Exception?.InnerExceptions ?? [new TaskCanceledException()]);
                    }
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default
            );
        }
    }

    private sealed class Slot
    {
        public Task<TValue>? Running { get; set; }

        public TaskCompletionSource<TValue>? Next { get; set; }

        public bool Retired { get; set; }
    }
}
