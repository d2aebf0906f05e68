using System.Text.Json;

namespace Pipeline.Application.Orchestration;

/// <summary>
/// Runs one orchestrator pass: activity calls are numbered in the order the orchestrator makes them;
/// a call whose number has a recorded result returns it at once (and must name the same activity, or the
/// orchestrator is not deterministic); any other call runs its activity and records the result.
/// </summary>
internal sealed class ReplayContext(
    string instanceId,
    IReadOnlyDictionary<int, RecordedStep> history,
    Func<int, string, object?, Task<string>> runStep) : OrchestrationContext
{
    private int _next;

    public override string InstanceId { get; } = instanceId;

    public object? CustomStatus { get; private set; }

    public bool CustomStatusChanged { get; set; }

    public override Task<TResult> CallActivityAsync<TResult>(string name, object? input = null)
    {
        var index = _next++;
        if (history.TryGetValue(index, out var step))
        {
            if (!string.Equals(step.Activity, name, StringComparison.Ordinal))
            {
                throw new InvalidOperationException(
                    $"orchestration {InstanceId} is not deterministic: call {index} was '{step.Activity}' when first run and is '{name}' now");
            }

            return Task.FromResult(Deserialize<TResult>(step.ResultJson));
        }

        return RunAsync<TResult>(index, name, input);
    }

    public override void SetCustomStatus(object? status)
    {
        CustomStatus = status;
        CustomStatusChanged = true;
    }

    private async Task<TResult> RunAsync<TResult>(int index, string name, object? input) =>
        Deserialize<TResult>(await runStep(index, name, input).ConfigureAwait(false));

    private static TResult Deserialize<TResult>(string json) => JsonSerializer.Deserialize<TResult>(json, ApiJson.Options)!;
}

/// <summary>A completed activity call: which activity, and its result as JSON.</summary>
/// <param name="Activity">The activity name.</param>
/// <param name="ResultJson">The result.</param>
internal sealed record RecordedStep(string Activity, string ResultJson);
