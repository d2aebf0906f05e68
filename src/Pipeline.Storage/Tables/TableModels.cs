using Azure;
using Azure.Core;

namespace Pipeline.Storage.Tables;

/// <summary>Options for the Table clients.</summary>
public sealed class TableClientOptions : ClientOptions
{
    /// <summary>The Table REST API version sent as <c>x-ms-version</c>.</summary>
    public string Version { get; set; } = "2019-02-02";
}

/// <summary>How an update treats properties the request does not name.</summary>
public enum TableUpdateMode
{
    /// <summary>Keep them (HTTP MERGE).</summary>
    Merge,

    /// <summary>Remove them: the entity becomes exactly the request's (HTTP PUT).</summary>
    Replace,
}

/// <summary>The operation of one transaction action.</summary>
public enum TableTransactionActionType
{
    /// <summary>Insert; fails when the entity exists.</summary>
    Add,

    /// <summary>Merge into an existing entity, at an ETag (or any with <see cref="ETag.All"/>).</summary>
    UpdateMerge,

    /// <summary>Replace an existing entity, at an ETag (or any with <see cref="ETag.All"/>).</summary>
    UpdateReplace,

    /// <summary>Delete, at an ETag (or any with <see cref="ETag.All"/>).</summary>
    Delete,

    /// <summary>Insert or merge.</summary>
    UpsertMerge,

    /// <summary>Insert or replace.</summary>
    UpsertReplace,
}

/// <summary>One operation of an entity group transaction.</summary>
/// <param name="ActionType">The operation.</param>
/// <param name="Entity">The entity (for a delete, only its keys are used).</param>
/// <param name="ETag">The ETag condition of updates and deletes; default means any (<c>*</c>).</param>
public sealed record TableTransactionAction(TableTransactionActionType ActionType, TableEntity Entity, ETag ETag = default);

/// <summary>
/// A transaction whose change set the service refused: nothing of it was applied. Names the index of
/// the failing action, as the service reports it (Azure answers 202 to the batch even then).
/// </summary>
public sealed class TableTransactionFailedException : RequestFailedException
{
    /// <summary>Creates the exception.</summary>
    public TableTransactionFailedException(int status, string message, string? errorCode, int? failedActionIndex, TableTransactionAction? failedAction)
        : base(status, message, errorCode, null)
    {
        FailedTransactionActionIndex = failedActionIndex;
        FailedAction = failedAction;
    }

    /// <summary>Creates the exception.</summary>
    public TableTransactionFailedException()
        : base("the table transaction failed")
    {
    }

    /// <summary>Creates the exception.</summary>
    public TableTransactionFailedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public TableTransactionFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The zero-based index of the failing action, when the service said.</summary>
    public int? FailedTransactionActionIndex { get; }

    /// <summary>The failing action, when known.</summary>
    public TableTransactionAction? FailedAction { get; }
}
