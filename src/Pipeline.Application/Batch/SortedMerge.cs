namespace Pipeline.Application.Batch;

/// <summary>
/// Merges runs each sorted in <typeparamref name="T"/>'s order into one sorted sequence, pulling one record at a
/// time from each: memory is the runs' readers, not their records.
/// </summary>
/// <typeparam name="T">The record.</typeparam>
internal sealed class SortedMerge<T> : IAsyncEnumerator<T>
    where T : IComparable<T>
{
    private readonly IReadOnlyList<IAsyncEnumerator<T>> _runs;
    private readonly PriorityQueue<int, T> _heads;
    private int _last = -1;
    private bool _started;

    public SortedMerge(IReadOnlyList<IAsyncEnumerator<T>> runs)
    {
        _runs = runs;
        _heads = new PriorityQueue<int, T>(Math.Max(1, runs.Count));
        Current = default!;
    }

    /// <inheritdoc />
    public T Current { get; private set; }

    /// <inheritdoc />
    public async ValueTask<bool> MoveNextAsync()
    {
        if (!_started)
        {
            _started = true;
            for (var run = 0; run < _runs.Count; run++)
            {
                await AdvanceAsync(run).ConfigureAwait(false);
            }
        }
        else if (_last >= 0)
        {
            await AdvanceAsync(_last).ConfigureAwait(false);
        }

        if (!_heads.TryDequeue(out _last, out var next))
        {
            _last = -1;
            return false;
        }

        Current = next;
        return true;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var run in _runs)
        {
            await run.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async ValueTask AdvanceAsync(int run)
    {
        if (await _runs[run].MoveNextAsync().ConfigureAwait(false))
        {
            _heads.Enqueue(run, _runs[run].Current);
        }
    }
}
