using System.Diagnostics;
using System.Reflection;

namespace Pipeline.Functions.Tests;

/// <summary>The Bicep templates compile and pass the linter with no warning, with the Bicep CLI's own
/// package.</summary>
public class InfrastructureTests
{
    private static string Bicep()
    {
        var path = typeof(InfrastructureTests)
            .Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "BicepCli")
            .Value!;
        Assert.True(
            File.Exists(path),
            $"the Bicep CLI is missing at {path}: restore the tests (its package carries it)"
        );
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.UserExecute);
        }

        return path;
    }

    [Theory]
    [InlineData("build")]
    [InlineData("lint")]
    public async Task TheTemplates_CompileAndLint_WithoutAWarning(string command)
    {
        var main = Path.Combine(RepositoryFiles.Root, "infra", "main.bicep");
        var start = new ProcessStartInfo(Bicep(), command == "build" ? [command, main, "--stdout"] : [command, main])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1" },
        };
        using var bicep = Process.Start(start)!;
        var output = bicep.StandardOutput.ReadToEndAsync();
        var diagnostics = await bicep.StandardError.ReadToEndAsync();
        await bicep.WaitForExitAsync();
        await output;

        Assert.True(bicep.ExitCode == 0, diagnostics);
        Assert.True(diagnostics.Trim().Length == 0, diagnostics);
    }
}
