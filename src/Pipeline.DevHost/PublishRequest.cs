namespace Pipeline.DevHost;

/// <summary>
/// One <c>POST /api/events</c>: its events are spread over partitions, and it completes when every
/// partition has ingested its share (or fails if one could not).
/// </summary>
internal sealed class PublishRequest(int partitions)
{
    private readonly TaskCompletionSource<(int Accepted, int Quarantined)> _done = new(
        TaskCreationOptions.RunContinuationsAsynchronously
    );
    private int _remaining = partitions;
    private int _accepted;
    private int _quarantined;

    public Task<(int Accepted, int Quarantined)> Completion => _done.Task;

    public void PartitionDone(int accepted, int quarantined)
    {
        Interlocked.Add(ref _accepted, accepted);
        Interlocked.Add(ref _quarantined, quarantined);
        if (Interlocked.Decrement(ref _remaining) == 0)
        {
            _done.TrySetResult((Volatile.Read(ref _accepted), Volatile.Read(ref _quarantined)));
        }
    }

    public void Fail(Exception error) => _done.TrySetException(error);
}

/// <summary>A publish request's events for one partition.</summary>
internal sealed record PartitionSlice(PublishRequest Request, IReadOnlyList<ReadOnlyMemory<byte>> Events);
