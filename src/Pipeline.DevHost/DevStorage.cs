using Pipeline.Azurite;
using Pipeline.Storage;

namespace Pipeline.DevHost;

/// <summary>The embedded default: Azurite in memory when no storage connection is configured; and the default address.</summary>
internal static partial class DevStorage
{
    /// <summary>The address used when neither <c>ASPNETCORE_URLS</c> nor <c>--urls</c> is given, as <c>func start</c> uses.</summary>
    public const string DefaultUrl = "http://127.0.0.1:7071";

    public static async Task AddDevStorageAsync(this WebApplicationBuilder builder)
    {
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        var connection = StorageAccount.DefaultConnectionName;
        var configured = builder.Configuration[connection] ?? builder.Configuration[$"{connection}:blobServiceUri"]
            ?? builder.Configuration[$"{connection}:tableServiceUri"] ?? builder.Configuration[$"{connection}:accountName"];
        if (!string.IsNullOrEmpty(configured))
        {
            return;
        }

        var azurite = await AzuriteProcess.StartAsync(builder.Environment.ContentRootPath);
        builder.Configuration.AddInMemoryCollection([new(connection, azurite.ConnectionString)]);
        builder.Services.AddSingleton(azurite);
        builder.Services.AddHostedService<EmbeddedAzurite>();
    }

    /// <summary>Stops the embedded Azurite with the host (after everything else has stopped).</summary>
    private sealed partial class EmbeddedAzurite(AzuriteProcess azurite, ILogger<EmbeddedAzurite> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            LogStarted(azurite.BlobPort, azurite.TablePort);
            return Task.CompletedTask;
        }

        public async Task StopAsync(CancellationToken cancellationToken) => await azurite.DisposeAsync();

        [LoggerMessage(Level = LogLevel.Information, Message = "No storage configured: started Azurite in memory (blob port {BlobPort}, table port {TablePort}); its data ends with this process")]
        private partial void LogStarted(int blobPort, int tablePort);
    }
}
