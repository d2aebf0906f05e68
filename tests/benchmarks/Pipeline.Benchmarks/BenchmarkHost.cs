using System.Diagnostics;

namespace Pipeline.Benchmarks;

/// <summary>
/// A dev host process a benchmark started: ended (with its children) when the benchmark is done with it,
/// also when the benchmark fails, so nothing it started keeps running after it.
/// </summary>
internal sealed class BenchmarkHost(Process process) : IDisposable
{
    public Process Process { get; } = process;

    public void Dispose()
    {
        try
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
                Process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // It had ended already.
        }

        Process.Dispose();
    }
}

/// <summary>What a benchmark needs from the machine, checked before any set-up, each with how to get it.</summary>
internal static class Prerequisites
{
    /// <summary>Throws, naming the program and how to install it, unless <paramref name="program"/> is on the
    /// PATH.</summary>
    public static void RequireProgram(string program, string install)
    {
        var found = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator)
            .Any(directory => directory.Length > 0 && File.Exists(Path.Combine(directory, program)));
        if (!found)
        {
            throw new InvalidOperationException($"this benchmark needs {program}, which is not on the PATH: {install}");
        }
    }

    /// <summary>Throws unless the dev host's release build exists (the benchmarks measure it, not a debug
    /// build).</summary>
    public static void RequireReleaseBuild(string dll)
    {
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException(
                $"the dev host's release build is missing ({dll}): run dotnet build -c Release src/Pipeline.DevHost "
                    + $"first"
            );
        }
    }
}
