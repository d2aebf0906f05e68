using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace Pipeline.Testing;

/// <summary>A built project of this repository run as its own process (real HTTP between processes), with its output
/// kept for failure messages.</summary>
public sealed class DotnetProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private DotnetProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Starts <c>dotnet src/{project}/bin/{configuration}/net10.0/{assembly}.dll args</c> with extra
    /// environment variables.</summary>
    public static DotnetProcess Start(
        string project,
        string assembly,
        IEnumerable<string> args,
        IReadOnlyDictionary<string, string>? environment = null,
        string? workingDirectory = null
    )
    {
        var configuration =
            typeof(DotnetProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration
            ?? "Debug";
        var dll = Path.Combine(RepositoryRoot, "src", project, "bin", configuration, "net10.0", assembly + ".dll");
        return StartDll(dll, args, environment, workingDirectory);
    }

    /// <summary>Starts the <c>pipeline</c> tool where every build of it lands, as the README calls it:
    /// <c>bin/pipeline</c> in the repository root.</summary>
    public static DotnetProcess StartTool(
        IEnumerable<string> args,
        IReadOnlyDictionary<string, string>? environment = null,
        string? workingDirectory = null
    ) => StartDll(Path.Combine(RepositoryRoot, "bin", "pipeline.dll"), args, environment, workingDirectory);

    private static DotnetProcess StartDll(
        string dll,
        IEnumerable<string> args,
        IReadOnlyDictionary<string, string>? environment,
        string? workingDirectory
    )
    {
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"{dll} is not built; build the solution first", dll);
        }

        // SIGINT's default action, as a terminal's foreground job has it, even when these tests were started with it
        // ignored (a background job of a shell without job control is): .NET leaves an ignored SIGINT ignored.
        var start = new ProcessStartInfo(OperatingSystem.IsLinux() ? "env" : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetDirectoryName(dll)!,
        };
        if (OperatingSystem.IsLinux())
        {
            start.ArgumentList.Add("--default-signal=INT");
            start.ArgumentList.Add("dotnet");
        }

        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return new DotnetProcess(Process.Start(start) ?? throw new InvalidOperationException($"could not start {dll}"));
    }

    /// <summary>The repository root (the folder holding Pipeline.sln).</summary>
    public static string RepositoryRoot
    {
        get
        {
            for (
                var directory = new DirectoryInfo(AppContext.BaseDirectory);
                directory is not null;
                directory = directory.Parent
            )
            {
                if (File.Exists(Path.Combine(directory.FullName, "Pipeline.sln")))
                {
                    return directory.FullName;
                }
            }

            throw new DirectoryNotFoundException("Pipeline.sln not found above the test folder");
        }
    }

    /// <summary>
    /// Kills the process at once, as kill -9 does: no shutdown, no draining. Only this process, as kill -9
    /// of its id does: a child (the dev host's embedded Azurite) sees its parent die and acts on that.
    /// </summary>
    public void KillHard() => Kill(entireProcessTree: false);

    /// <summary>
    /// Ctrl+C in the process's terminal: SIGINT to it and to the processes it started (its children, such as
    /// an embedded emulator), as a terminal signals its whole foreground process group.
    /// </summary>
    public void Interrupt()
    {
        var id = _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using (var children = Process.Start("pkill", ["-INT", "-P", id]))
        {
            children?.WaitForExit();
        }

        using var parent = Process.Start("kill", ["-INT", id]);
        parent?.WaitForExit();
    }

    /// <summary>Asks the process to stop (SIGTERM), as a service manager does.</summary>
    public void Terminate()
    {
        using var kill = Process.Start(
            "kill",
            ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]
        );
        kill?.WaitForExit();
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the process did not exit within {timeout}; output:\n{Output}");
        }

        return _process.ExitCode;
    }

    public ValueTask DisposeAsync()
    {
        Kill(entireProcessTree: true);
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    private void Kill(bool entireProcessTree)
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree);
            _process.WaitForExit();
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            if (_output.Length < 200_000)
            {
                _output.AppendLine(line);
            }
        }
    }
}
