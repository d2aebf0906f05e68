using System.Security.Cryptography;
using Pipeline.Application.Storage;
using Pipeline.Azurite;
using Pipeline.Storage;

namespace Pipeline.DevHost;

/// <summary>
/// The dev host's local state: the default address; the embedded default storage (Azurite keeping its data
/// in <c>DevHost:DataDirectory</c>, <c>.azurite/</c> in the repository root, so that a restart or a crash of
/// the dev host loses nothing; in memory only when <c>DevHost:InMemoryStorage</c> says so) unless a storage
/// connection is configured; and the local admin key, generated once and kept in the same folder.
/// </summary>
internal static partial class DevStorage
{
    /// <summary>The address used when neither <c>ASPNETCORE_URLS</c> nor <c>--urls</c> is given, as <c>func start</c>
    /// uses.</summary>
    public const string DefaultUrl = "http://127.0.0.1:7071";

    /// <summary>The setting of the admin key; without it a random local key is made once and kept in the data
    /// folder.</summary>
    public const string AdminKeySetting = "DevHost:AdminKey";

    /// <summary>The file in the data folder that holds the local admin key.</summary>
    public const string AdminKeyFile = "local-admin-key";

    public static async Task AddDevStorageAsync(this WebApplicationBuilder builder)
    {
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        var root =
            AzuriteProcess.InstallationRoot(builder.Environment.ContentRootPath) ?? builder.Environment.ContentRootPath;
        var dataDirectory = Path.GetFullPath(
            builder.Configuration["DevHost:DataDirectory"] is { Length: > 0 } configuredDirectory
                ? configuredDirectory
                : Path.Combine(root, ".azurite")
        );
        var inMemory = bool.TryParse(builder.Configuration["DevHost:InMemoryStorage"], out var memory) && memory;
        var notes = new List<string>();

        var connection = StorageAccount.DefaultConnectionName;
        var configured =
            builder.Configuration[connection]
            ?? builder.Configuration[$"{connection}:blobServiceUri"]
            ?? builder.Configuration[$"{connection}:tableServiceUri"]
            ?? builder.Configuration[$"{connection}:accountName"];
        if (string.IsNullOrEmpty(configured))
        {
            var azurite = await AzuriteProcess.StartAsync(
                builder.Environment.ContentRootPath,
                inMemory ? null : Path.Combine(dataDirectory, "storage")
            );
            builder.Configuration.AddInMemoryCollection([new(connection, azurite.ConnectionString)]);
            builder.Services.AddSingleton(azurite);
            builder.Services.AddHostedService<EmbeddedAzurite>();
            builder.Services.AddSingleton(
                inMemory
                    ? new StorageDescription(
                        "embedded Azurite",
                        "memory (DevHost:InMemoryStorage=true: the data ends with this process)",
                        Persistent: false
                    )
                    : new StorageDescription(
                        "embedded Azurite",
                        Path.Combine(dataDirectory, "storage"),
                        Persistent: true
                    )
            );
        }

        if (builder.Configuration[AdminKeySetting] is { Length: > 0 } configuredKey)
        {
            builder.Services.AddSingleton(new AdminKey(configuredKey, $"the value of {AdminKeySetting}"));
        }
        else
        {
            var keyFile = Path.Combine(dataDirectory, AdminKeyFile);
            var key = await LocalAdminKeyAsync(keyFile);
            builder.Services.AddSingleton(new AdminKey(key, $"printed at start-up and kept in {keyFile}"));
            notes.Add($"admin key {key} (kept in {keyFile}; send it as x-functions-key)");
        }

        builder.Services.AddSingleton(new LocalNotes(notes));
        builder.Services.AddHostedService<StartupReport>();
    }

    /// <summary>The local admin key: read from its file, or made (random, 256 bits) and written there once.</summary>
    private static async Task<string> LocalAdminKeyAsync(string keyFile)
    {
        if (File.Exists(keyFile) && (await File.ReadAllTextAsync(keyFile)).Trim() is { Length: > 0 } existing)
        {
            return existing;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(keyFile)!);
        var key = Convert
            .ToBase64String(RandomNumberGenerator.GetBytes(32))
            .TrimEnd('=')
            .Replace('+', '-')
            .Replace('/', '_');

        // Only its owner may read the key: created empty with that mode first, then written.
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        await using (var file = new FileStream(keyFile, options))
        await using (var writer = new StreamWriter(file))
        {
            await writer.WriteLineAsync(key);
        }

        return key;
    }

    /// <summary>What the start-up log adds about local state.</summary>
    private sealed record LocalNotes(IReadOnlyList<string> Lines);

    /// <summary>Says at start-up which storage is in use and where its data lives.</summary>
    private sealed partial class StartupReport(
        StorageDescription storage,
        LocalNotes notes,
        ILogger<StartupReport> logger
    ) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            LogStorage(storage.Kind, storage.Location, storage.Persistent ? "kept" : "not kept");
            foreach (var line in notes.Lines)
            {
                LogNote(line);
            }

            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        [LoggerMessage(
            Level = LogLevel.Information,
            Message = "Storage: {Kind} at {Location} (data {Kept} across restarts)"
        )]
        private partial void LogStorage(string kind, string location, string kept);

        [LoggerMessage(Level = LogLevel.Information, Message = "Local state: {Note}")]
        private partial void LogNote(string note);
    }

    /// <summary>Stops the embedded Azurite with the host (after everything else has stopped), saving its
    /// data.</summary>
    private sealed partial class EmbeddedAzurite(AzuriteProcess azurite, ILogger<EmbeddedAzurite> logger)
        : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            LogStarted(azurite.BlobPort, azurite.QueuePort, azurite.TablePort);
            return Task.CompletedTask;
        }

        public async Task StopAsync(CancellationToken cancellationToken) => await azurite.DisposeAsync();

        [LoggerMessage(
            Level = LogLevel.Information,
            Message = "Embedded Azurite on blob port {BlobPort}, queue port {QueuePort}, table port {TablePort}"
        )]
        private partial void LogStarted(int blobPort, int queuePort, int tablePort);
    }
}
