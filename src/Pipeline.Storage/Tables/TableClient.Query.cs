using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Core;
using Pipeline.Storage.Core;

namespace Pipeline.Storage.Tables;

public sealed partial class TableClient
{
    private const string NextPartitionKeyHeader = "x-ms-continuation-NextPartitionKey";
    private const string NextRowKeyHeader = "x-ms-continuation-NextRowKey";

    /// <summary>
    /// Queries entities with an OData <paramref name="filter"/> (see <see cref="TableFilter"/>), an optional
    /// projection and page size (<c>$top</c>, at most 1,000 per page), following the service's
    /// continuation tokens page by page.
    /// </summary>
    public AsyncPageable<TableEntity> QueryAsync(string? filter = null, int? maxPerPage = null, IEnumerable<string>? select = null, CancellationToken cancellationToken = default)
    {
        var projection = select is null ? null : string.Join(',', select);
        return new ContinuationPageable<TableEntity>(
            (token, pageSize, ct) => QueryPageAsync(filter, pageSize ?? maxPerPage, projection, token, ct), cancellationToken);
    }

    private async Task<Page<TableEntity>> QueryPageAsync(string? filter, int? top, string? select, string? continuation, CancellationToken cancellationToken)
    {
        using var message = _service.CreateMessage(RequestMethod.Get, $"{Name}()");
        var uri = message.Request.Uri;
        if (!string.IsNullOrEmpty(filter))
        {
            uri.AppendQuery("$filter", filter);
        }

        if (!string.IsNullOrEmpty(select))
        {
            uri.AppendQuery("$select", select);
        }

        if (top is { } pageSize)
        {
            uri.AppendQuery("$top", Math.Clamp(pageSize, 1, 1000).ToString(CultureInfo.InvariantCulture));
        }

        if (continuation is not null)
        {
            var parts = continuation.Split(' ');
            uri.AppendQuery("NextPartitionKey", parts[0]);
            if (parts.Length > 1 && parts[1].Length > 0)
            {
                uri.AppendQuery("NextRowKey", parts[1]);
            }
        }

        var response = await _service.SendAsync(message, cancellationToken, 200).ConfigureAwait(false);
        using var json = JsonDocument.Parse(response.Content.ToMemory());
        var entities = json.RootElement.GetProperty("value").EnumerateArray().Select(TableEntityJson.Read).ToList();
        string? next = null;
        if (response.Headers.TryGetValue(NextPartitionKeyHeader, out var nextPartition))
        {
            response.Headers.TryGetValue(NextRowKeyHeader, out var nextRow);
            next = $"{nextPartition} {nextRow}";
        }

        return Page<TableEntity>.FromValues(entities, next, response);
    }
}
