using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Azure;

namespace Pipeline.Storage.Tables;

/// <summary>
/// The Table service's JSON (OData minimal metadata) for entities: types that JSON cannot carry
/// (Int64, Binary, DateTime, Guid, Double) travel with a <c>Name@odata.type</c> annotation.
/// Also enforces the service's size limits before anything is sent.
/// </summary>
internal static class TableEntityJson
{
    public static void Write(Utf8JsonWriter writer, TableEntity entity, bool includeKeys = true)
    {
        Validate(entity);
        writer.WriteStartObject();
        if (includeKeys)
        {
            writer.WriteString("PartitionKey", entity.PartitionKey);
            writer.WriteString("RowKey", entity.RowKey);
        }

        foreach (var (name, value) in entity)
        {
            WriteProperty(writer, name, value);
        }

        writer.WriteEndObject();
    }

    public static byte[] Serialize(TableEntity entity)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, entity);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteProperty(Utf8JsonWriter writer, string name, object? value)
    {
        switch (value)
        {
            case null:
                return;
            case string s:
                writer.WriteString(name, s);
                break;
            case int i:
                writer.WriteNumber(name, i);
                break;
            case long l:
                Typed(writer, name, "Edm.Int64", l.ToString(CultureInfo.InvariantCulture));
                break;
            case double d:
                Typed(writer, name, "Edm.Double", d.ToString("R", CultureInfo.InvariantCulture));
                break;
            case bool b:
                writer.WriteBoolean(name, b);
                break;
            case DateTimeOffset t:
                Typed(writer, name, "Edm.DateTime", t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
                break;
            case DateTime t:
                Typed(writer, name, "Edm.DateTime", t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
                break;
            case Guid g:
                Typed(writer, name, "Edm.Guid", g.ToString());
                break;
            case byte[] bytes:
                Typed(writer, name, "Edm.Binary", Convert.ToBase64String(bytes));
                break;
            case BinaryData data:
                Typed(writer, name, "Edm.Binary", Convert.ToBase64String(data.ToMemory().Span));
                break;
            default:
                throw new ArgumentException($"property '{name}' has type {value.GetType().Name}, which the Table service cannot store");
        }
    }

    private static void Typed(Utf8JsonWriter writer, string name, string type, string value)
    {
        writer.WriteString(name + "@odata.type", type);
        writer.WriteString(name, value);
    }

    public static TableEntity Read(JsonElement json)
    {
        var entity = new TableEntity();
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in json.EnumerateObject())
        {
            if (property.Name.EndsWith("@odata.type", StringComparison.Ordinal))
            {
                types[property.Name[..^"@odata.type".Length]] = property.Value.GetString() ?? string.Empty;
            }
        }

        foreach (var property in json.EnumerateObject())
        {
            var name = property.Name;
            switch (name)
            {
                case "PartitionKey":
                    entity.PartitionKey = property.Value.GetString() ?? string.Empty;
                    continue;
                case "RowKey":
                    entity.RowKey = property.Value.GetString() ?? string.Empty;
                    continue;
                case "odata.etag":
                    entity.ETag = new ETag(property.Value.GetString() ?? string.Empty);
                    continue;
                case "Timestamp":
                    entity.Timestamp = DateTimeOffset.Parse(property.Value.GetString() ?? string.Empty, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
                    continue;
            }

            if (name.StartsWith("odata.", StringComparison.Ordinal) || name.Contains('@', StringComparison.Ordinal))
            {
                continue;
            }

            entity[name] = ReadValue(property.Value, types.GetValueOrDefault(name));
        }

        return entity;
    }

    private static object? ReadValue(JsonElement value, string? type) => type switch
    {
        "Edm.Int64" => long.Parse(value.GetString()!, CultureInfo.InvariantCulture),
        "Edm.Binary" => value.GetBytesFromBase64(),
        "Edm.DateTime" => DateTimeOffset.Parse(value.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
        "Edm.Guid" => Guid.Parse(value.GetString()!, CultureInfo.InvariantCulture),
        "Edm.Double" => value.ValueKind == JsonValueKind.String
            ? double.Parse(value.GetString()!, CultureInfo.InvariantCulture)
            : value.GetDouble(),
        _ => value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number when value.TryGetInt32(out var i) => i,
            JsonValueKind.Number => value.GetDouble(),
            _ => null,
        },
    };

    /// <summary>
    /// Checks keys, property names, property sizes and the entity size (the service's formula:
    /// 4 + 2·len(keys) + Σ(8 + 2·len(name) + size of value)).
    /// </summary>
    public static void Validate(TableEntity entity)
    {
        TableKeys.Validate(entity.PartitionKey, nameof(entity.PartitionKey));
        TableKeys.Validate(entity.RowKey, nameof(entity.RowKey));
        if (entity.Count > TableKeys.MaxCustomProperties)
        {
            throw new ArgumentException($"an entity may have at most {TableKeys.MaxCustomProperties} properties; this one has {entity.Count}");
        }

        long size = 4 + ((entity.PartitionKey.Length + entity.RowKey.Length) * 2);
        foreach (var (name, value) in entity)
        {
            if (string.IsNullOrEmpty(name) || name.Length > 255 || !(char.IsLetter(name[0]) || name[0] == '_')
                || !name.All(c => char.IsLetterOrDigit(c) || c == '_') || name is "PartitionKey" or "RowKey" or "Timestamp")
            {
                throw new ArgumentException($"property name '{name}' is not allowed: use up to 255 letters, digits and '_', starting with a letter or '_'");
            }

            var valueSize = value switch
            {
                string s => 4 + (s.Length * 2L),
                byte[] b => 4 + b.Length,
                BinaryData d => 4 + d.ToMemory().Length,
                int or double or long or DateTimeOffset or DateTime => 8,
                bool => 1,
                Guid => 16,
                _ => 0,
            };
            if (valueSize - 4 > TableKeys.MaxPropertyBytes && value is string or byte[] or BinaryData)
            {
                throw new ArgumentException($"property '{name}' is {valueSize - 4} bytes; a string or binary property may be at most 64 KiB");
            }

            size += 8 + (name.Length * 2) + valueSize;
        }

        if (size > TableKeys.MaxEntityBytes)
        {
            throw new ArgumentException($"entity ({entity.PartitionKey}, {entity.RowKey}) is {size} bytes; the limit is 1 MiB");
        }
    }
}
