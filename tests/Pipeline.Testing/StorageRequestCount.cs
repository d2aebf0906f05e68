using System.Diagnostics.Metrics;

namespace Pipeline.Testing;

/// <summary>
/// Counts the storage requests sent from the calling flow (and the tasks it starts) from now on, leaving out those
/// of tests running beside it in the same process: the process-wide total counts theirs too.
/// </summary>
public sealed class StorageRequestCount : IDisposable
{
    private static readonly AsyncLocal<StorageRequestCount?> Scope = new();
    private readonly MeterListener _listener = new();
    private long _requests;

    private StorageRequestCount()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument is { Meter.Name: "Pipeline.Storage", Name: "pipeline.storage.requests" })
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };

        // Counter.Add calls this on the sending flow, so the flow's scope tells whose request it is.
        _listener.SetMeasurementEventCallback<long>(
            (_, value, _, _) =>
            {
                if (ReferenceEquals(Scope.Value, this))
                {
                    Interlocked.Add(ref _requests, value);
                }
            }
        );
        _listener.Start();
    }

    /// <summary>Requests counted so far.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Starts counting the calling flow's requests (a synchronous call, so the scope stays with the
    /// caller).</summary>
    public static StorageRequestCount Start()
    {
        var count = new StorageRequestCount();
        Scope.Value = count;
        return count;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Scope.Value = null;
        _listener.Dispose();
    }
}
