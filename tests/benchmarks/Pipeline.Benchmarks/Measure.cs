using System.Diagnostics;

namespace Pipeline.Benchmarks;

/// <summary>
/// Times several bodies in interleaved rounds (A, B, C, A, B, C, ...) after a warm-up, so that drift in
/// the machine's speed affects all of them alike; reports each one's median and its median ratio to
/// the first body within the same rounds.
/// </summary>
internal static class Measure
{
    public static (TimeSpan Median, double RatioToFirst)[] Interleaved(int rounds, params Action[] bodies)
    {
        foreach (var body in bodies)
        {
            body();
        }

        var times = bodies.Select(_ => new List<TimeSpan>()).ToArray();
        for (var round = 0; round < rounds; round++)
        {
            for (var i = 0; i < bodies.Length; i++)
            {
                var watch = Stopwatch.StartNew();
                bodies[i]();
                times[i].Add(watch.Elapsed);
            }
        }

        return [.. times.Select(t => (Median(t), Median(t.Select((x, round) => x / times[0][round]).ToList())))];
    }

    public static TimeSpan Median(Action body, int runs = 9) => Interleaved(runs, body)[0].Median;

    private static T Median<T>(List<T> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
