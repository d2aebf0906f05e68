using System.Diagnostics;
using System.Globalization;

namespace Pipeline.Cli;

/// <summary>
/// Publishes events in batches, several at once, at a target rate or as fast as the sink accepts, and
/// retries every batch that was not acknowledged, with the same event ids, until it is (for a minute while nothing
/// answers, five while the pipeline says it is busy). Shows progress.
/// </summary>
internal sealed class Publisher(
    IEventSink sink,
    TextWriter output,
    int batchSize,
    int concurrency,
    double ratePerSecond
)
{
    /// <summary>How long a batch is sent again while the pipeline does not answer (a restart takes seconds; nothing
    /// there, for ever).</summary>
    private static readonly TimeSpan MaxUnanswered = TimeSpan.FromMinutes(1);

    /// <summary>How long a batch is sent again while the pipeline says it is busy.</summary>
    private static readonly TimeSpan MaxBusy = TimeSpan.FromMinutes(5);

    private long _sent;
    private long _retries;

    public async Task PublishAsync(IReadOnlyList<GeneratedEvent> events, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var batches = events.Chunk(batchSize).Select((batch, index) => (batch, start: index * batchSize)).ToList();
        using var progress = new Timer(
            _ => Report(events.Count, clock, final: false),
            null,
            TimeSpan.FromMilliseconds(500),
            TimeSpan.FromMilliseconds(500)
        );
        await Parallel.ForEachAsync(
            batches,
            new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken },
            async (item, ct) =>
            {
                if (ratePerSecond > 0)
                {
                    // Pace: this batch may start once the events before it fit the target rate.
                    var due = TimeSpan.FromSeconds(item.start / ratePerSecond) - clock.Elapsed;
                    if (due > TimeSpan.Zero)
                    {
                        await Task.Delay(due, ct);
                    }
                }

                await SendUntilAcknowledgedAsync(item.batch, ct);
                Interlocked.Add(ref _sent, item.batch.Length);
            }
        );
        Report(events.Count, clock, final: true);
    }

    private async Task SendUntilAcknowledgedAsync(GeneratedEvent[] batch, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(200);
        var failingSince = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await sink.SendAsync(batch, cancellationToken);
                return;
            }
            catch (RetryLaterException ex) when (failingSince.Elapsed < MaxBusy)
            {
                if (Interlocked.Increment(ref _retries) <= 5)
                {
                    Console.Error.WriteLine($"pipeline busy, retrying in {ex.Delay.TotalSeconds:N0} s: {ex.Message}");
                }

                await Task.Delay(ex.Delay, cancellationToken);
            }
            catch (Exception ex)
                when (ex is HttpRequestException or TaskCanceledException or IOException
                    && !cancellationToken.IsCancellationRequested
                    && failingSince.Elapsed < MaxUnanswered
                )
            {
                // Not acknowledged: it may or may not have landed; the same ids make a re-send safe.
                if (Interlocked.Increment(ref _retries) <= 5)
                {
                    Console.Error.WriteLine($"send failed, retrying with the same ids: {ex.Message}");
                }

                await Task.Delay(delay, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }

    private void Report(int total, Stopwatch clock, bool final)
    {
        var sent = Interlocked.Read(ref _sent);
        var rate = sent / Math.Max(clock.Elapsed.TotalSeconds, 0.001);
        var line = string.Create(
            CultureInfo.InvariantCulture,
            $"published {sent:N0}/{total:N0} events  {rate:N0} events/s  {Interlocked.Read(ref _retries):N0} retried "
                + $"sends  {clock.Elapsed:mm\\:ss}"
        );
        if (Console.IsOutputRedirected)
        {
            if (final)
            {
                output.WriteLine(line);
            }

            return;
        }

        output.Write("\r" + line.PadRight(100));
        if (final)
        {
            output.WriteLine();
        }
    }
}
