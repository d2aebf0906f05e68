using Pipeline.Azurite;

namespace Pipeline.Storage.Tests;

/// <summary>
/// The guard script every emulator start runs, written to a folder shared by the machine's test assemblies and dev
/// hosts: node must never read it half written (it then runs what it read, and an empty script ends Azurite at once
/// with code 0 and no output).
/// </summary>
public sealed class AzuriteStartTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("pipeline-guard-").FullName;

    [Fact]
    public async Task TheGuardScript_IsNeverSeenHalfWritten_WhileStartsWriteItAtOnce()
    {
        var expected = (await File.ReadAllBytesAsync(await AzuriteProcess.WriteGuardAsync(_folder, default))).Length;
        var writers = 0;
        var seen = new List<long>();
        var reading = Task.Run(async () =>
        {
            // At least one pass after the last write (which leaves the script in place), however late this task runs.
            bool writing;
            do
            {
                writing = Volatile.Read(ref writers) < 1000;
                foreach (var file in new DirectoryInfo(_folder).EnumerateFiles("*.js"))
                {
                    try
                    {
                        using var read = file.OpenRead();
                        seen.Add(read.Length);
                    }
                    catch (FileNotFoundException)
                    {
                        // Deleted since listed: a fresh machine's state, nothing to read.
                    }
                }

                await Task.Yield();
            } while (writing);
        });
        await Parallel.ForEachAsync(
            Enumerable.Range(0, 1000),
            async (_, ct) =>
            {
                // Each write starts over from nothing, as on a fresh machine where every start finds no script.
                foreach (var file in Directory.GetFiles(_folder, "*.js"))
                {
                    File.Delete(file);
                }

                await AzuriteProcess.WriteGuardAsync(_folder, ct);
                Interlocked.Increment(ref writers);
            }
        );
        await reading;

        Assert.NotEmpty(seen);
        Assert.All(seen, length => Assert.Equal(expected, length));
    }

    [Fact]
    public async Task AGuardScriptOfAnotherLength_IsWrittenAgain()
    {
        var guard = await AzuriteProcess.WriteGuardAsync(_folder, default);
        var expected = await File.ReadAllTextAsync(guard);
        await File.WriteAllTextAsync(guard, string.Empty);

        Assert.Equal(guard, await AzuriteProcess.WriteGuardAsync(_folder, default));
        Assert.Equal(expected, await File.ReadAllTextAsync(guard));
        Assert.Contains("require(azurite)", expected, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
