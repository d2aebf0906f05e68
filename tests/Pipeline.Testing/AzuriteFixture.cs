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

    /// <summary>The started emulator, or null when the tests use an account from the environment.</summary>
    public AzuriteProcess? Emulator => _azurite;

    /// <summary>
    /// A connection string to this emulator with the Blob, Queue and Table endpoints at the given ports (relays
    /// in front of the emulator's own), each the emulator's own where none is given.
    /// </summary>
    public string ConnectionThrough(int? blobPort = null, int? queuePort = null, int? tablePort = null)
    {
        var emulator =
            _azurite ?? throw new InvalidOperationException("storage from the environment cannot be relayed");
        var account = AzuriteProcess.AccountName;
        return $"DefaultEndpointsProtocol=http;AccountName={account};AccountKey={AzuriteProcess.AccountKey};"
            + $"BlobEndpoint=http://127.0.0.1:{blobPort ?? emulator.BlobPort}/{account};"
            + $"QueueEndpoint=http://127.0.0.1:{queuePort ?? emulator.QueuePort}/{account};"
            + $"TableEndpoint=http://127.0.0.1:{tablePort ?? emulator.TablePort}/{account};";
    }

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
