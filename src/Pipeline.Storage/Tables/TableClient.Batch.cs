using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azure;
using Azure.Core;

namespace Pipeline.Storage.Tables;

public sealed partial class TableClient
{
    /// <summary>The most operations one entity group transaction may hold.</summary>
    public const int MaxTransactionActions = 100;

    private const int MaxTransactionBytes = 4 * 1024 * 1024;

    /// <summary>
    /// Submits up to 100 actions on one PartitionKey as one atomic entity group transaction.
    /// The rules are enforced here (Azurite does not): one PartitionKey, each entity once, at most
    /// 100 actions and 4 MiB. The service answers 202 even when the change set failed, so the inner
    /// responses are read, and a failure becomes a <see cref="TableTransactionFailedException"/> naming
    /// the failing action; then nothing of the transaction was applied.
    /// </summary>
    /// <returns>One response per action, in order (each with its new ETag, except deletes).</returns>
    public async Task<Response<IReadOnlyList<Response>>> SubmitTransactionAsync(IEnumerable<TableTransactionAction> actions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actions);
        var list = actions.ToList();
        ValidateTransaction(list);

        var batchBoundary = $"batch_{Guid.NewGuid()}";
        var changesetBoundary = $"changeset_{Guid.NewGuid()}";
        var body = BuildBatchBody(list, batchBoundary, changesetBoundary);
        if (body.Length > MaxTransactionBytes)
        {
            throw new ArgumentException($"the transaction is {body.Length} bytes; the limit is 4 MiB", nameof(actions));
        }

        using var message = _service.CreateMessage(RequestMethod.Post, "$batch");
        message.Request.Headers.SetValue("Content-Type", $"multipart/mixed; boundary={batchBoundary}");
        message.Request.Content = RequestContent.Create(body);
        var response = await _service.SendAsync(message, cancellationToken, 202).ConfigureAwait(false);
        var parts = ParseBatchResponse(response);
        var failure = parts.FirstOrDefault(p => p.Status >= 400);
        if (failure is not null)
        {
            throw TransactionFailure(failure, parts, list);
        }

        if (parts.Count != list.Count)
        {
            throw new RequestFailedException(response.Status, $"the transaction answered {parts.Count} responses for {list.Count} actions");
        }

        return Response.FromValue<IReadOnlyList<Response>>(parts.Select(p => (Response)p).ToList(), response);
    }

    private static void ValidateTransaction(List<TableTransactionAction> actions)
    {
        if (actions.Count is 0 or > MaxTransactionActions)
        {
            throw new ArgumentException($"a transaction holds 1 to {MaxTransactionActions} actions; this one has {actions.Count}", nameof(actions));
        }

        var partitionKey = actions[0].Entity.PartitionKey;
        var rowKeys = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < actions.Count; i++)
        {
            var entity = actions[i].Entity ?? throw new ArgumentException($"action {i} has no entity", nameof(actions));
            if (!string.Equals(entity.PartitionKey, partitionKey, StringComparison.Ordinal))
            {
                throw new ArgumentException(
                    $"all actions of a transaction must share one PartitionKey: action {i} has '{entity.PartitionKey}', action 0 has '{partitionKey}'", nameof(actions));
            }

            if (!rowKeys.Add(entity.RowKey))
            {
                throw new ArgumentException($"action {i} repeats RowKey '{entity.RowKey}'; a transaction may touch each entity once", nameof(actions));
            }
        }
    }

    private byte[] BuildBatchBody(List<TableTransactionAction> actions, string batchBoundary, string changesetBoundary)
    {
        var body = new StringBuilder()
            .Append("--").Append(batchBoundary).Append("\r\n")
            .Append("Content-Type: multipart/mixed; boundary=").Append(changesetBoundary).Append("\r\n\r\n");
        var contentId = 1;
        foreach (var action in actions)
        {
            var (method, path, ifMatch, hasBody) = action.ActionType switch
            {
                TableTransactionActionType.Add => ("POST", Name, (ETag?)null, true),
                TableTransactionActionType.UpsertMerge => ("MERGE", EntityPath(action.Entity.PartitionKey, action.Entity.RowKey), null, true),
                TableTransactionActionType.UpsertReplace => ("PUT", EntityPath(action.Entity.PartitionKey, action.Entity.RowKey), null, true),
                TableTransactionActionType.UpdateMerge => ("MERGE", EntityPath(action.Entity.PartitionKey, action.Entity.RowKey), Condition(action.ETag), true),
                TableTransactionActionType.UpdateReplace => ("PUT", EntityPath(action.Entity.PartitionKey, action.Entity.RowKey), Condition(action.ETag), true),
                TableTransactionActionType.Delete => ("DELETE", EntityPath(action.Entity.PartitionKey, action.Entity.RowKey), Condition(action.ETag), false),
                _ => throw new ArgumentOutOfRangeException(nameof(actions), action.ActionType, "unknown transaction action"),
            };
            body.Append("--").Append(changesetBoundary).Append("\r\n")
                .Append("Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n")
                .Append(method).Append(' ').Append(_service.Uri).Append('/').Append(path).Append(" HTTP/1.1\r\n")
                .Append("Accept: application/json;odata=minimalmetadata\r\nDataServiceVersion: 3.0\r\n")
                .Append("Content-ID: ").Append(contentId++).Append("\r\n");
            if (ifMatch is { } etag)
            {
                body.Append("If-Match: ").Append(etag.ToString()).Append("\r\n");
            }

            if (hasBody)
            {
                body.Append("Content-Type: application/json\r\nPrefer: return-no-content\r\n\r\n")
                    .Append(Encoding.UTF8.GetString(TableEntityJson.Serialize(action.Entity))).Append("\r\n");
            }
            else
            {
                body.Append("\r\n");
            }
        }

        body.Append("--").Append(changesetBoundary).Append("--\r\n")
            .Append("--").Append(batchBoundary).Append("--\r\n");
        return Encoding.UTF8.GetBytes(body.ToString());
    }

    private static ETag Condition(ETag etag) => etag == default ? ETag.All : etag;

    private static List<BatchPartResponse> ParseBatchResponse(Response response)
    {
        var text = response.Content.ToString();
        var parts = new List<BatchPartResponse>();
        foreach (Match status in StatusLine().Matches(text))
        {
            var start = status.Index + status.Length;
            var next = StatusLine().Match(text, start);
            var end = next.Success ? next.Index : text.Length;
            parts.Add(BatchPartResponse.Parse(int.Parse(status.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), status.Groups[2].Value.Trim(), text[start..end]));
        }

        return parts;
    }

    private static TableTransactionFailedException TransactionFailure(BatchPartResponse failure, List<BatchPartResponse> parts, List<TableTransactionAction> actions)
    {
        var (code, message) = failure.Error();
        int? index = null;
        var numbered = FailedIndex().Match(message);
        if (numbered.Success)
        {
            index = int.Parse(numbered.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            message = message[numbered.Length..];
        }
        else if (failure.ContentId is { } contentId)
        {
            index = contentId - 1;
        }
        else if (parts.Count == actions.Count)
        {
            index = parts.IndexOf(failure);
        }

        var action = index is { } i && i >= 0 && i < actions.Count ? actions[i] : null;
        var where = action is null ? "an action" : $"action {index} ({action.ActionType} of ({action.Entity.PartitionKey}, {action.Entity.RowKey}))";
        return new TableTransactionFailedException(
            failure.Status, $"the transaction failed at {where}: {failure.Status} {code}: {message.Trim()}", code, action is null ? null : index, action);
    }

    [GeneratedRegex(@"HTTP/1\.1 (\d{3})([^\r\n]*)\r?\n")]
    private static partial Regex StatusLine();

    [GeneratedRegex(@"^(\d+):")]
    private static partial Regex FailedIndex();
}
