using Pipeline.Azurite;
using Pipeline.Storage;
using Xunit;

namespace Pipeline.Testing;

/// <summary>
/// Starts Azurite once for the test assembly (in memory, free loopback ports), or uses the account in
/// <c>PIPELINE_TEST_STORAGE</c> when that environment variable holds a connection string. Each test
/// asks for its own table and container names.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    /// <summary>Names an existing account to test against instead of starting Azurite.</summary>
    public const string ConnectionVariable = "PIPELINE_TEST_STORAGE";

    private static int _counter;
    private AzuriteProcess? _azurite;

    public string ConnectionString { get; private set; } = string.Empty;

    public StorageAccount Account { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var configured = Environment.GetEnvironmentVariable(ConnectionVariable);
        if (string.IsNullOrWhiteSpace(configured))
        {
            _azurite = await AzuriteProcess.StartAsync();
            configured = _azurite.ConnectionString;
        }

        ConnectionString = configured;
        Account = StorageAccount.FromConnectionString(configured);
    }

    public async Task DisposeAsync()
    {
        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }
    }

    /// <summary>A table name no other test uses.</summary>
    public static string NewTableName(string purpose) =>
        $"t{purpose}{Environment.ProcessId}x{Interlocked.Increment(ref _counter)}";

    /// <summary>A container name no other test uses.</summary>
    public static string NewContainerName(string purpose) =>
        $"c-{purpose.ToLowerInvariant()}-{Environment.ProcessId}-{Interlocked.Increment(ref _counter)}";
}
