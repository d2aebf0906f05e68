using Pipeline.Application.Serving;

namespace Pipeline.Application.Tests;

public class ReadCoalescerTests
{
    /// <summary>A read source whose reads block until released, numbering each read as it starts.</summary>
    private sealed class GatedReads
    {
        private readonly List<TaskCompletionSource> _gates = [];
        private int _started;

        public int Started => Volatile.Read(ref _started);

        public async Task<int> ReadAsync(string key)
        {
            var number = Interlocked.Increment(ref _started);
            TaskCompletionSource gate;
            lock (_gates)
            {
                gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _gates.Add(gate);
            }

            await gate.Task;
            return number;
        }

        public async Task ReleaseAsync(int read)
        {
            while (true)
            {
                lock (_gates)
                {
                    if (_gates.Count >= read)
                    {
                        _gates[read - 1].TrySetResult();
                        return;
                    }
                }

                await Task.Delay(5);
            }
        }
    }

    [Fact]
    public async Task CallersArrivingDuringARead_ShareOneLaterRead_ThatStartedAfterThemAll()
    {
        var reads = new GatedReads();
        var coalescer = new ReadCoalescer<string, int>(reads.ReadAsync);
        var first = coalescer.ReadAsync("k", CancellationToken.None);
        var waiting = Enumerable.Range(0, 50).Select(_ => coalescer.ReadAsync("k", CancellationToken.None)).ToList();

        await reads.ReleaseAsync(1);
        Assert.Equal(1, await first);
        await reads.ReleaseAsync(2);
        var answers = await Task.WhenAll(waiting);

        // Read 1 had started before they arrived, so none of them may be answered by it.
        Assert.All(answers, answer => Assert.Equal(2, answer));
        Assert.Equal(2, reads.Started);
    }

    [Fact]
    public async Task DifferentKeys_ReadIndependently_AndAnIdleKeyReadsAfresh()
    {
        var reads = new GatedReads();
        var coalescer = new ReadCoalescer<string, int>(reads.ReadAsync);
        var a = coalescer.ReadAsync("a", CancellationToken.None);
        var b = coalescer.ReadAsync("b", CancellationToken.None);
        await reads.ReleaseAsync(1);
        await reads.ReleaseAsync(2);
        Assert.Equal([1, 2], (await Task.WhenAll(a, b)).Order());

        var again = coalescer.ReadAsync("a", CancellationToken.None);
        await reads.ReleaseAsync(3);
        Assert.Equal(3, await again);
    }

    [Fact]
    public async Task AFailedRead_FailsItsCallers_AndTheNextCallReadsAgain()
    {
        var calls = 0;
        var coalescer = new ReadCoalescer<string, int>(async _ =>
        {
            await Task.Yield();
            return Interlocked.Increment(ref calls) == 1
                ? throw new InvalidOperationException("storage said no")
                : calls;
        });

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            coalescer.ReadAsync("k", CancellationToken.None)
        );
        Assert.Equal("storage said no", failure.Message);
        Assert.Equal(2, await coalescer.ReadAsync("k", CancellationToken.None));
    }

    [Fact]
    public async Task ACallerGivingUp_DoesNotCancelTheReadOthersWaitFor()
    {
        var reads = new GatedReads();
        var coalescer = new ReadCoalescer<string, int>(reads.ReadAsync);
        using var impatient = new CancellationTokenSource();
        var gaveUp = coalescer.ReadAsync("k", impatient.Token);
        var patient = coalescer.ReadAsync("k", CancellationToken.None);
        await impatient.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => gaveUp);
        await reads.ReleaseAsync(1);
        await reads.ReleaseAsync(2);
        Assert.Equal(2, await patient);
    }
}
