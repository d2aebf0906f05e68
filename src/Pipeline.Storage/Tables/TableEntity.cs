using System.Collections;
using Azure;

namespace Pipeline.Storage.Tables;

/// <summary>
/// A table entity: PartitionKey, RowKey, ETag, Timestamp and typed properties (string, int, long,
/// double, bool, DateTimeOffset, Guid, byte[]). Shaped like Azure.Data.Tables' TableEntity.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1710", Justification = "Keeps the Azure.Data.Tables name so that swapping to the official SDK is a small change.")]
public sealed class TableEntity : IDictionary<string, object?>
{
    private readonly Dictionary<string, object?> _properties = new(StringComparer.Ordinal);

    /// <summary>Creates an empty entity.</summary>
    public TableEntity()
    {
    }

    /// <summary>Creates an entity with keys.</summary>
    public TableEntity(string partitionKey, string rowKey)
    {
        PartitionKey = partitionKey;
        RowKey = rowKey;
    }

    /// <summary>The partition key.</summary>
    public string PartitionKey { get; set; } = string.Empty;

    /// <summary>The row key.</summary>
    public string RowKey { get; set; } = string.Empty;

    /// <summary>The ETag the service gave this entity when it was read.</summary>
    public ETag ETag { get; set; }

    /// <summary>The service's last-modified time, when read.</summary>
    public DateTimeOffset? Timestamp { get; set; }

    /// <inheritdoc />
    public object? this[string key]
    {
        get => _properties.TryGetValue(key, out var value) ? value : null;
        set => _properties[key] = value;
    }

    /// <inheritdoc />
    public ICollection<string> Keys => _properties.Keys;

    /// <inheritdoc />
    public ICollection<object?> Values => _properties.Values;

    /// <inheritdoc />
    public int Count => _properties.Count;

    /// <inheritdoc />
    public bool IsReadOnly => false;

    /// <summary>A string property, or null.</summary>
    public string? GetString(string name) => this[name] as string;

    /// <summary>A 64-bit integer property (also reads 32-bit ones), or null.</summary>
    public long? GetInt64(string name) => this[name] switch { long l => l, int i => i, _ => null };

    /// <summary>A 32-bit integer property, or null.</summary>
    public int? GetInt32(string name) => this[name] as int?;

    /// <summary>A double property, or null.</summary>
    public double? GetDouble(string name) => this[name] switch { double d => d, int i => i, _ => null };

    /// <summary>A Boolean property, or null.</summary>
    public bool? GetBoolean(string name) => this[name] as bool?;

    /// <summary>A date-time property, or null.</summary>
    public DateTimeOffset? GetDateTimeOffset(string name) => this[name] as DateTimeOffset?;

    /// <summary>A GUID property, or null.</summary>
    public Guid? GetGuid(string name) => this[name] as Guid?;

    /// <summary>A binary property, or null.</summary>
    public byte[]? GetBinary(string name) => this[name] as byte[];

    /// <inheritdoc />
    public void Add(string key, object? value) => _properties.Add(key, value);

    /// <inheritdoc />
    public bool ContainsKey(string key) => _properties.ContainsKey(key);

    /// <inheritdoc />
    public bool Remove(string key) => _properties.Remove(key);

    /// <inheritdoc />
    public bool TryGetValue(string key, out object? value) => _properties.TryGetValue(key, out value);

    /// <inheritdoc />
    public void Add(KeyValuePair<string, object?> item) => _properties.Add(item.Key, item.Value);

    /// <inheritdoc />
    public void Clear() => _properties.Clear();

    /// <inheritdoc />
    public bool Contains(KeyValuePair<string, object?> item) => ((ICollection<KeyValuePair<string, object?>>)_properties).Contains(item);

    /// <inheritdoc />
    public void CopyTo(KeyValuePair<string, object?>[] array, int arrayIndex) =>
        ((ICollection<KeyValuePair<string, object?>>)_properties).CopyTo(array, arrayIndex);

    /// <inheritdoc />
    public bool Remove(KeyValuePair<string, object?> item) => ((ICollection<KeyValuePair<string, object?>>)_properties).Remove(item);

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => _properties.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
