using System.Text;
using Azure.Data.Tables;

namespace Pipeline.Storage.Tables;

/// <summary>
/// The rules Azure Table storage enforces and Azurite does not (or answers with a 500), checked before a
/// request is sent so that a violation is a <see cref="TableRuleException"/> naming the rule:
/// a transaction holds 1 to 100 actions on one PartitionKey, each entity once, at most 4 MiB in all;
/// keys are at most 1 KiB without <c>/ \ # ?</c> or control characters; an entity is at most 1 MiB with
/// at most 252 properties, and a string or binary property at most 64 KiB.
/// </summary>
public static class TableRules
{
    /// <summary>The most actions one entity group transaction may hold.</summary>
    public const int MaxTransactionActions = 100;

    /// <summary>The largest transaction request body.</summary>
    public const int MaxTransactionBytes = 4 * 1024 * 1024;

    /// <summary>The service's limit for one entity: 1 MiB.</summary>
    public const int MaxEntityBytes = 1024 * 1024;

    /// <summary>The limit of one string or binary property: 64 KiB.</summary>
    public const int MaxPropertyBytes = 64 * 1024;

    /// <summary>The most custom properties an entity may have (255 less the three system properties).</summary>
    public const int MaxCustomProperties = 252;

    // What a transaction's multipart body adds per action besides the entity's JSON and the keys in its URL:
    // boundaries, the HTTP request line with the table's URI, headers. Generous, so the estimate stays an upper bound.
    private const int ActionOverheadBytes = 600;

    /// <summary>Checks a transaction; throws <see cref="TableRuleException"/> naming the first rule it
    /// breaks.</summary>
    public static void CheckTransaction(IReadOnlyList<TableTransactionAction> actions)
    {
        ArgumentNullException.ThrowIfNull(actions);
        if (actions.Count is 0 or > MaxTransactionActions)
        {
            throw new TableRuleException(
                "transaction size",
                $"a transaction holds 1 to {MaxTransactionActions} actions; this one has {actions.Count}"
            );
        }

        var partitionKey = actions[0].Entity.PartitionKey;
        var rowKeys = new HashSet<string>(StringComparer.Ordinal);
        long bytes = 0;
        for (var i = 0; i < actions.Count; i++)
        {
            var entity = actions[i].Entity;
            if (!string.Equals(entity.PartitionKey, partitionKey, StringComparison.Ordinal))
            {
                throw new TableRuleException(
                    "one PartitionKey per transaction",
                    $"all actions of a transaction must share one PartitionKey: action {i} has "
                        + $"'{entity.PartitionKey}', action 0 has '{partitionKey}'"
                );
            }

            if (!rowKeys.Add(entity.RowKey ?? string.Empty))
            {
                throw new TableRuleException(
                    "each entity once per transaction",
                    $"action {i} repeats RowKey '{entity.RowKey}'; a transaction may touch each entity once"
                );
            }

            CheckKeys(entity);
            bytes += ActionOverheadBytes + (3L * (entity.PartitionKey.Length + entity.RowKey!.Length));
            if (actions[i].ActionType != TableTransactionActionType.Delete)
            {
                bytes += CheckEntity(entity);
            }
        }

        if (bytes > MaxTransactionBytes)
        {
            throw new TableRuleException(
                "4 MiB per transaction",
                $"the transaction's request would be about {bytes:N0} bytes; a transaction may be at most 4 MiB: "
                    + $"split it"
            );
        }
    }

    /// <summary>
    /// Splits actions into transactions the service takes: grouped by PartitionKey (in first-seen order), each
    /// transaction at most 100 actions and, by the same upper-bound estimate <see cref="CheckTransaction"/> uses, at
    /// most 4 MiB, so rows with large states go in smaller transactions instead of a refused one.
    /// </summary>
    public static List<List<T>> Transactions<T>(IEnumerable<T> items, Func<T, ITableEntity> entityOf)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(entityOf);
        var transactions = new List<List<T>>();
        foreach (var group in items.GroupBy(i => entityOf(i).PartitionKey, StringComparer.Ordinal))
        {
            var current = new List<T>();
            long bytes = 0;
            foreach (var item in group)
            {
                var entity = entityOf(item);
                var size = ActionOverheadBytes + (3L * (entity.PartitionKey.Length + entity.RowKey.Length));
                size += CheckEntity(entity);
                if (current.Count > 0 && (current.Count == MaxTransactionActions || bytes + size > MaxTransactionBytes))
                {
                    transactions.Add(current);
                    current = [];
                    bytes = 0;
                }

                current.Add(item);
                bytes += size;
            }

            transactions.Add(current);
        }

        return transactions;
    }

    /// <summary>Checks an entity's keys; throws <see cref="TableRuleException"/> for an invalid one.</summary>
    public static void CheckKeys(ITableEntity entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        if (!TableKeys.IsValid(entity.PartitionKey, out var error) || !TableKeys.IsValid(entity.RowKey, out error))
        {
            throw new TableRuleException("key characters and length", error);
        }
    }

    /// <summary>
    /// Checks an entity's properties against the service's size rules; returns an upper bound of its JSON
    /// size in a request. Typed entities other than <see cref="TableEntity"/> are only measured by their keys.
    /// </summary>
    public static long CheckEntity(ITableEntity entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        if (entity is not IDictionary<string, object?> properties)
        {
            return 0;
        }

        // The service's own measure: 4 bytes, keys as UTF-16, then per property 8 bytes, its name as UTF-16 and its
        // value.
        long serviceSize = 4 + (2L * (entity.PartitionKey.Length + entity.RowKey.Length));
        long jsonSize = 2;
        var custom = 0;
        foreach (var (name, value) in properties)
        {
            if (name is "PartitionKey" or "RowKey" or "Timestamp" or "odata.etag" || value is null)
            {
                continue;
            }

            custom++;
            var (valueSize, valueJson) = value switch
            {
                string s => (4L + (2L * s.Length), Encoding.UTF8.GetByteCount(s) + 2L + (5L * CountEscaped(s))),
                byte[] b => (4L + b.Length, 4L * ((b.Length + 2) / 3) + 2),
                BinaryData d => (4L + d.ToMemory().Length, 4L * ((d.ToMemory().Length + 2) / 3) + 2),
                bool => (1L, 5L),
                int => (4L, 11L),
                long => (8L, 22L),
                double => (8L, 26L),
                DateTime or DateTimeOffset => (8L, 32L),
                Guid => (16L, 38L),
                _ => throw new TableRuleException(
                    "property types",
                    $"property '{name}' of entity ({entity.PartitionKey}, {entity.RowKey}) is a "
                        + $"{value.GetType().Name}, which the Table service cannot store"
                ),
            };
            if (value is string or byte[] or BinaryData && valueSize - 4 > MaxPropertyBytes)
            {
                throw new TableRuleException(
                    "64 KiB per property",
                    $"property '{name}' of entity ({entity.PartitionKey}, {entity.RowKey}) is {valueSize - 4:N0} "
                        + $"bytes; a string or binary property may be at most 64 KiB"
                );
            }

            serviceSize += 8 + (2L * name.Length) + valueSize;
            jsonSize += (2L * name.Length) + 40 + valueJson;
        }

        if (custom > MaxCustomProperties)
        {
            throw new TableRuleException(
                "252 properties per entity",
                $"entity ({entity.PartitionKey}, {entity.RowKey}) has {custom} properties; the limit is "
                    + $"{MaxCustomProperties}"
            );
        }

        if (serviceSize > MaxEntityBytes)
        {
            throw new TableRuleException(
                "1 MiB per entity",
                $"entity ({entity.PartitionKey}, {entity.RowKey}) is {serviceSize:N0} bytes; the limit is 1 MiB"
            );
        }

        return jsonSize;
    }

    private static int CountEscaped(string text)
    {
        var count = 0;
        foreach (var c in text)
        {
            count += c is '"' or '\\' or < ' ' ? 1 : 0;
        }

        return count;
    }
}

/// <summary>A request that breaks one of the Table service's rules; nothing was sent.</summary>
public sealed class TableRuleException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    public TableRuleException(string rule, string message)
        : base($"Table rule '{rule}' broken: {message}")
    {
        Rule = rule;
    }

    /// <summary>Creates the exception.</summary>
    public TableRuleException()
        : this("unknown", "a Table rule was broken") { }

    /// <summary>Creates the exception.</summary>
    public TableRuleException(string message)
        : this("unknown", message) { }

    /// <summary>Creates the exception.</summary>
    public TableRuleException(string message, Exception innerException)
        : base(message, innerException)
    {
        Rule = "unknown";
    }

    /// <summary>The rule, such as <c>one PartitionKey per transaction</c>.</summary>
    public string Rule { get; } = "unknown";
}
