using Azure;
using Azure.Data.Tables;

namespace Pipeline.Storage.Tables;

/// <summary>
/// The only way the pipeline submits entity group transactions: <see cref="TableRules.CheckTransaction"/>
/// first, then the SDK. (<c>TableClient.SubmitTransactionAsync</c> itself is banned in BannedSymbols.txt.)
/// </summary>
public static class CheckedTableTransactions
{
    /// <summary>
    /// Checks the transaction against the service's rules, then submits it. A change set the service refuses
    /// raises the SDK's <see cref="TableTransactionFailedException"/> (a <see cref="RequestFailedException"/>
    /// naming the failing action); then nothing of the transaction was applied.
    /// </summary>
    /// <exception cref="TableRuleException">The transaction breaks a rule; nothing was sent.</exception>
    public static Task<Response<IReadOnlyList<Response>>> SubmitCheckedTransactionAsync(
        this TableClient table,
        IEnumerable<TableTransactionAction> actions,
        CancellationToken cancellationToken = default
    )
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(actions);
        var list = actions as IReadOnlyList<TableTransactionAction> ?? [.. actions];
        TableRules.CheckTransaction(list);
#pragma warning disable RS0030 // The one sanctioned call: the rules were checked above.
        return table.SubmitTransactionAsync(list, cancellationToken);
#pragma warning restore RS0030
    }
}
