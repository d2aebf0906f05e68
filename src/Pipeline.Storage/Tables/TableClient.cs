using System.Text.Json;
using Azure;
using Azure.Core;

namespace Pipeline.Storage.Tables;

/// <summary>
/// One table: create and delete it; get, add, upsert, update and delete entities with ETag
/// conditions; query with continuation; entity group transactions. Immutable and thread-safe.
/// </summary>
public sealed partial class TableClient
{
    private static readonly RequestMethod Merge = new("MERGE");
    private readonly TableServiceClient _service;

    internal TableClient(TableServiceClient service, string name)
    {
        ValidateTableName(name);
        _service = service;
        Name = name;
    }

    /// <summary>The table name.</summary>
    public string Name { get; }

    /// <summary>The table URI.</summary>
    public Uri Uri => new($"{_service.Uri}/{Name}");

    /// <summary>Creates the table; 409 <c>TableAlreadyExists</c> when it exists.</summary>
    public async Task<Response> CreateAsync(CancellationToken cancellationToken = default)
    {
        using var message = CreateTableMessage();
        return await _service.SendAsync(message, cancellationToken, 201, 204).ConfigureAwait(false);
    }

    /// <summary>Creates the table unless it exists; returns whether it was created.</summary>
    public async Task<bool> CreateIfNotExistsAsync(CancellationToken cancellationToken = default)
    {
        using var message = CreateTableMessage();
        var response = await _service.SendAsync(message, cancellationToken, 201, 204, 409).ConfigureAwait(false);
        return response.Status != 409;
    }

    /// <summary>Deletes the table; 404 when it does not exist.</summary>
    public async Task<Response> DeleteAsync(CancellationToken cancellationToken = default)
    {
        using var message = _service.CreateMessage(RequestMethod.Delete, $"Tables('{Name}')");
        return await _service.SendAsync(message, cancellationToken, 204).ConfigureAwait(false);
    }

    /// <summary>Reads one entity; 404 <c>ResourceNotFound</c> when absent.</summary>
    public async Task<Response<TableEntity>> GetEntityAsync(string partitionKey, string rowKey, IEnumerable<string>? select = null, CancellationToken cancellationToken = default)
    {
        using var message = GetEntityMessage(partitionKey, rowKey, select);
        var response = await _service.SendAsync(message, cancellationToken, 200).ConfigureAwait(false);
        return Response.FromValue(ReadEntity(response), response);
    }

    /// <summary>Reads one entity, or null when it does not exist.</summary>
    public async Task<TableEntity?> GetEntityIfExistsAsync(string partitionKey, string rowKey, IEnumerable<string>? select = null, CancellationToken cancellationToken = default)
    {
        using var message = GetEntityMessage(partitionKey, rowKey, select);
        var response = await _service.SendAsync(message, cancellationToken, 200, 404).ConfigureAwait(false);
        return response.Status == 404 ? null : ReadEntity(response);
    }

    /// <summary>Inserts an entity; 409 <c>EntityAlreadyExists</c> when one has its keys. The response carries the new ETag.</summary>
    public async Task<Response> AddEntityAsync(TableEntity entity, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entity);
        using var message = _service.CreateMessage(RequestMethod.Post, Name);
        message.Request.Headers.SetValue("Prefer", "return-no-content");
        SetJson(message.Request, TableEntityJson.Serialize(entity));
        return await _service.SendAsync(message, cancellationToken, 204).ConfigureAwait(false);
    }

    /// <summary>Inserts or updates an entity unconditionally.</summary>
    public async Task<Response> UpsertEntityAsync(TableEntity entity, TableUpdateMode mode = TableUpdateMode.Merge, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entity);
        using var message = WriteEntityMessage(entity, mode, ifMatch: null);
        return await _service.SendAsync(message, cancellationToken, 204).ConfigureAwait(false);
    }

    /// <summary>
    /// Updates an existing entity only while its ETag is <paramref name="ifMatch"/> (<see cref="ETag.All"/>:
    /// any version): 412 <c>UpdateConditionNotSatisfied</c> when it changed, 404 when it is absent.
    /// </summary>
    public async Task<Response> UpdateEntityAsync(TableEntity entity, ETag ifMatch, TableUpdateMode mode = TableUpdateMode.Merge, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entity);
        using var message = WriteEntityMessage(entity, mode, ifMatch == default ? ETag.All : ifMatch);
        return await _service.SendAsync(message, cancellationToken, 204).ConfigureAwait(false);
    }

    /// <summary>Deletes an entity, at an ETag or any version; an absent entity is not an error.</summary>
    public async Task<Response> DeleteEntityAsync(string partitionKey, string rowKey, ETag ifMatch = default, CancellationToken cancellationToken = default)
    {
        using var message = _service.CreateMessage(RequestMethod.Delete, EntityPath(partitionKey, rowKey));
        message.Request.Headers.SetValue("If-Match", (ifMatch == default ? ETag.All : ifMatch).ToString());
        return await _service.SendAsync(message, cancellationToken, 204, 404).ConfigureAwait(false);
    }

    private HttpMessage CreateTableMessage()
    {
        var message = _service.CreateMessage(RequestMethod.Post, "Tables");
        message.Request.Headers.SetValue("Prefer", "return-no-content");
        SetJson(message.Request, JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["TableName"] = Name }));
        return message;
    }

    private HttpMessage GetEntityMessage(string partitionKey, string rowKey, IEnumerable<string>? select)
    {
        var message = _service.CreateMessage(RequestMethod.Get, EntityPath(partitionKey, rowKey));
        if (select is not null)
        {
            message.Request.Uri.AppendQuery("$select", string.Join(',', select));
        }

        return message;
    }

    private HttpMessage WriteEntityMessage(TableEntity entity, TableUpdateMode mode, ETag? ifMatch)
    {
        var message = _service.CreateMessage(mode == TableUpdateMode.Merge ? Merge : RequestMethod.Put, EntityPath(entity.PartitionKey, entity.RowKey));
        if (ifMatch is { } etag)
        {
            message.Request.Headers.SetValue("If-Match", etag.ToString());
        }

        SetJson(message.Request, TableEntityJson.Serialize(entity));
        return message;
    }

    /// <summary><c>table(PartitionKey='..',RowKey='..')</c> with quotes doubled and the keys percent-encoded.</summary>
    internal string EntityPath(string partitionKey, string rowKey)
    {
        TableKeys.Validate(partitionKey, nameof(partitionKey));
        TableKeys.Validate(rowKey, nameof(rowKey));
        return $"{Name}(PartitionKey='{EscapeKey(partitionKey)}',RowKey='{EscapeKey(rowKey)}')";
    }

    private static string EscapeKey(string key) => Uri.EscapeDataString(key.Replace("'", "''", StringComparison.Ordinal));

    private static void SetJson(Request request, byte[] body)
    {
        request.Headers.SetValue("Content-Type", "application/json");
        request.Content = RequestContent.Create(body);
    }

    private static TableEntity ReadEntity(Response response)
    {
        using var json = JsonDocument.Parse(response.Content.ToMemory());
        var entity = TableEntityJson.Read(json.RootElement);
        if (response.Headers.ETag is { } etag)
        {
            entity.ETag = etag;
        }

        return entity;
    }

    private static void ValidateTableName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Length is < 3 or > 63 || !char.IsAsciiLetter(name[0]) || !name.All(char.IsAsciiLetterOrDigit))
        {
            throw new ArgumentException($"table name '{name}' must be 3-63 letters and digits, starting with a letter", nameof(name));
        }
    }
}
