namespace Pipeline.Storage.Core;

/// <summary>
/// A parsed Azure Storage connection string: account name and key plus the Blob and Table endpoints.
/// <c>UseDevelopmentStorage=true</c> means Azurite on its default ports.
/// </summary>
public sealed class StorageConnectionString
{
    /// <summary>The Azurite and storage-emulator account name.</summary>
    public const string DevelopmentAccountName = "devstoreaccount1";

    /// <summary>The well-known Azurite and storage-emulator account key (public by design).</summary>
    public const string DevelopmentAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private StorageConnectionString(StorageSharedKeyCredential credential, Uri blobEndpoint, Uri tableEndpoint)
    {
        Credential = credential;
        BlobEndpoint = blobEndpoint;
        TableEndpoint = tableEndpoint;
    }

    /// <summary>The account name and key.</summary>
    public StorageSharedKeyCredential Credential { get; }

    /// <summary>The Blob service endpoint.</summary>
    public Uri BlobEndpoint { get; }

    /// <summary>The Table service endpoint.</summary>
    public Uri TableEndpoint { get; }

    /// <summary>Parses a connection string; a malformed one throws <see cref="FormatException"/> naming what is missing.</summary>
    public static StorageConnectionString Parse(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new FormatException($"connection string setting '{part}' is not of the form Name=Value");
            }

            settings[part[..equals]] = part[(equals + 1)..];
        }

        if (settings.TryGetValue("UseDevelopmentStorage", out var development) && bool.TryParse(development, out var useDevelopment) && useDevelopment)
        {
            var proxy = settings.TryGetValue("DevelopmentStorageProxyUri", out var uri) ? new Uri(uri).Host : "127.0.0.1";
            return new(
                new StorageSharedKeyCredential(DevelopmentAccountName, DevelopmentAccountKey),
                new Uri($"http://{proxy}:10000/{DevelopmentAccountName}"),
                new Uri($"http://{proxy}:10002/{DevelopmentAccountName}"));
        }

        var account = Required(settings, "AccountName");
        var key = Required(settings, "AccountKey");
        var protocol = settings.GetValueOrDefault("DefaultEndpointsProtocol", "https");
        var suffix = settings.GetValueOrDefault("EndpointSuffix", "core.windows.net");
        return new(
            new StorageSharedKeyCredential(account, key),
            Endpoint(settings, "BlobEndpoint", protocol, account, "blob", suffix),
            Endpoint(settings, "TableEndpoint", protocol, account, "table", suffix));
    }

    private static Uri Endpoint(Dictionary<string, string> settings, string name, string protocol, string account, string service, string suffix) =>
        settings.TryGetValue(name, out var explicitEndpoint)
            ? new Uri(explicitEndpoint.TrimEnd('/'))
            : new Uri($"{protocol}://{account}.{service}.{suffix}");

    private static string Required(Dictionary<string, string> settings, string name) =>
        settings.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value)
            ? value
            : throw new FormatException($"the storage connection string has no {name}");
}
