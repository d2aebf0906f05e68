using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Pipeline.Application;
using Pipeline.Durable;

namespace Pipeline.Testing;

/// <summary>
/// A process's worth of the dev host's engine: the pipeline's services and the Durable Task engine on
/// Azurite, with the given tasks, on a task hub of its own (one storage prefix per hub). Two hosts on
/// the same prefix are two processes sharing a task hub, as before and after a restart.
/// </summary>
public sealed class EngineHost : IAsyncDisposable
{
    private readonly IHost _host;

    private EngineHost(IHost host)
    {
        _host = host;
        Client = host.Services.GetRequiredService<DurableTaskClient>();
    }

    /// <summary>The engine's client.</summary>
    public DurableTaskClient Client { get; }

    /// <summary>The host's services.</summary>
    public IServiceProvider Services => _host.Services;

    /// <summary>A storage prefix (and so a task hub) no other test uses.</summary>
    public static string NewPrefix() => $"e{Environment.ProcessId % 10000}x{Interlocked.Increment(ref _counter)}";

    private static int _counter;

    /// <summary>
    /// Starts a host on the account of <paramref name="connectionString"/> and <paramref name="prefix"/> with <paramref
    /// name="tasks"/> (default: the pipeline's),
    /// further <paramref name="settings"/> (such as <c>Pipeline:EpochLength</c>) and <paramref name="services"/>.
    /// </summary>
    public static async Task<EngineHost> StartAsync(
        string connectionString,
        string prefix,
        Action<DurableTaskRegistry>? tasks = null,
        Action<IServiceCollection>? services = null,
        IReadOnlyDictionary<string, string?>? settings = null
    )
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        if (Environment.GetEnvironmentVariable("ENGINE_HOST_WARNINGS") is "1")
        {
            // For a benchmark that stalls: activity failures (an out-of-memory one, say) and their retries.
            builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        }

        builder.Configuration.AddInMemoryCollection(
            new Dictionary<string, string?>
            {
                ["AzureWebJobsStorage"] = connectionString,
                ["Pipeline:StoragePrefix"] = prefix,
                ["Pipeline:AuditInterval"] = "00:00:00",
                ["RecomputeSchedule"] = string.Empty,
                ["Durable:MaxPollingInterval"] = "00:00:00.200",
                ["Durable:VisibilityTimeout"] = "00:00:05",
                ["Durable:LeaseInterval"] = "00:00:06",
            }
        );
        builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
        builder.Services.AddPipeline(builder.Configuration).AddDurableEngine(builder.Configuration, tasks);
        services?.Invoke(builder.Services);
        var host = builder.Build();
        await host.StartAsync();
        return new EngineHost(host);
    }

    /// <summary>Waits until the instance has ended (completed, failed or canceled).</summary>
    public async Task<OrchestrationMetadata> WaitAsync(string instanceId, TimeSpan? timeout = null)
    {
        using var patience = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        return await Client.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: true, patience.Token);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
