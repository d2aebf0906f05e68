using System.Text.Json;

namespace Pipeline.Application.Orchestration;

/// <summary>
/// The orchestrators and activities by name, for hosts that dispatch by name (Durable Functions binds one
/// function per orchestrator and activity). Inputs and results cross the host as JSON in the pipeline's
/// own serializer settings, so they read back the same on every host.
/// </summary>
public sealed class OrchestrationCatalog(IEnumerable<IOrchestrator> orchestrators, IEnumerable<IActivity> activities)
{
    private readonly Dictionary<string, IOrchestrator> _orchestrators = orchestrators.ToDictionary(o => o.Name, StringComparer.Ordinal);
    private readonly Dictionary<string, IActivity> _activities = activities.ToDictionary(a => a.Name, StringComparer.Ordinal);

    /// <summary>Every activity's name.</summary>
    public IReadOnlyCollection<string> ActivityNames => _activities.Keys;

    /// <summary>Every orchestrator's name.</summary>
    public IReadOnlyCollection<string> OrchestratorNames => _orchestrators.Keys;

    /// <summary>Runs (or replays) an orchestrator on the host's context.</summary>
    public Task<object?> RunOrchestratorAsync(string name, OrchestrationContext context, JsonElement input) =>
        (_orchestrators.GetValueOrDefault(name) ?? throw new InvalidOperationException($"no orchestrator is named '{name}'")).RunAsync(context, input);

    /// <summary>Runs an activity; its result as JSON.</summary>
    public async Task<JsonElement> RunActivityAsync(string name, JsonElement input, CancellationToken cancellationToken)
    {
        var activity = _activities.GetValueOrDefault(name) ?? throw new InvalidOperationException($"no activity is named '{name}'");
        return ToJson(await activity.RunAsync(input, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>A value as JSON, the way orchestrations pass inputs and results.</summary>
    public static JsonElement ToJson(object? value) => JsonSerializer.SerializeToElement(value, ApiJson.Options);

    /// <summary>A value back from JSON.</summary>
    public static TResult FromJson<TResult>(JsonElement json) => json.Deserialize<TResult>(ApiJson.Options)!;
}
