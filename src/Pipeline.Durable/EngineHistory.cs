using System.Text.Json;
using DurableTask.Core.History;
using Microsoft.DurableTask;

namespace Pipeline.Durable;

/// <summary>Reads what the engine's history says and its status row does not.</summary>
internal static class EngineHistory
{
    /// <summary>The failure details of the execution's completion, from the history JSON the backend returns.</summary>
    public static TaskFailureDetails? CompletionFailure(string? historyJson)
    {
        if (string.IsNullOrEmpty(historyJson))
        {
            return null;
        }

        using var history = JsonDocument.Parse(historyJson);
        foreach (var historyEvent in history.RootElement.EnumerateArray())
        {
            if (
                historyEvent.TryGetProperty("EventType", out var type)
                && type.GetInt32() == (int)EventType.ExecutionCompleted
                && historyEvent.TryGetProperty("FailureDetails", out var failure)
            )
            {
                return Failure(failure);
            }
        }

        return null;
    }

    private static TaskFailureDetails? Failure(JsonElement failure) =>
        failure.ValueKind != JsonValueKind.Object
            ? null
            : new TaskFailureDetails(
                Text(failure, "ErrorType") ?? string.Empty,
                Text(failure, "ErrorMessage") ?? string.Empty,
                Text(failure, "StackTrace"),
                failure.TryGetProperty("InnerFailure", out var inner) ? Failure(inner) : null,
                null
            );

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}
