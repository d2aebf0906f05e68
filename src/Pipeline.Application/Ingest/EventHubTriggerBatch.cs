using System.Globalization;
using System.Text.Json;

namespace Pipeline.Application.Ingest;

/// <summary>
/// Turns what the Event Hubs trigger delivers (a batch of events and the invocation's binding data) into
/// an <see cref="IngestBatch"/>: the partition id comes from the <c>PartitionContext</c> binding data.
/// </summary>
public static class EventHubTriggerBatch
{
    /// <summary>The batch of one trigger invocation.</summary>
    /// <exception cref="InvalidOperationException">The binding data has no usable partition id.</exception>
    public static IngestBatch Create(
        IReadOnlyDictionary<string, object?> bindingData,
        IReadOnlyList<IncomingEvent> events
    )
    {
        ArgumentNullException.ThrowIfNull(bindingData);
        var context = bindingData
            .FirstOrDefault(p => string.Equals(p.Key, "PartitionContext", StringComparison.OrdinalIgnoreCase))
            .Value;
        return new IngestBatch(PartitionOf(context), events);
    }

    private static int PartitionOf(object? partitionContext)
    {
        var json = partitionContext switch
        {
            null => null,
            JsonElement element => element.GetRawText(),
            string text => text,
            var other => JsonSerializer.Serialize(other),
        };

        if (json is not null)
        {
            using var document = JsonDocument.Parse(json);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (
                    string.Equals(property.Name, "PartitionId", StringComparison.OrdinalIgnoreCase)
                    && int.TryParse(
                        property.Value.ValueKind == JsonValueKind.String
                            ? property.Value.GetString()
                            : property.Value.GetRawText(),
                        NumberStyles.None,
                        CultureInfo.InvariantCulture,
                        out var partition
                    )
                )
                {
                    return partition;
                }
            }
        }

        throw new InvalidOperationException(
            $"the Event Hubs trigger's binding data has no PartitionContext.PartitionId (got {json ?? "nothing"})"
        );
    }
}
