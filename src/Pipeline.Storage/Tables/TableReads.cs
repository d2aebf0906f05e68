using Azure.Data.Tables;

namespace Pipeline.Storage.Tables;

/// <summary>Point reads with what the SDK leaves to the caller.</summary>
public static class TableReads
{
    /// <summary>
    /// Reads one entity, or null when it does not exist. The keys are checked first (Azurite answers 500 to
    /// some keys Azure refuses), and the SDK's <c>NullableResponse</c>, which is never null itself, is unwrapped.
    /// </summary>
    /// <exception cref="TableRuleException">A key breaks the Table service's rules; nothing was sent.</exception>
    public static async Task<TableEntity?> GetEntityOrNullAsync(
        this TableClient table,
        string partitionKey,
        string rowKey,
        IEnumerable<string>? select = null,
        CancellationToken cancellationToken = default
    )
    {
        ArgumentNullException.ThrowIfNull(table);
        if (!TableKeys.IsValid(partitionKey, out var error) || !TableKeys.IsValid(rowKey, out error))
        {
            throw new TableRuleException("key characters and length", error);
        }

#pragma warning disable RS0030 // The one sanctioned call: the keys were checked above and the response is unwrapped.
        var response = await table
            .GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey, select, cancellationToken)
            .ConfigureAwait(false);
#pragma warning restore RS0030
        return response.HasValue ? response.Value : null;
    }
}
