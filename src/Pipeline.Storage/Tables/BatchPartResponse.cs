using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Core;

namespace Pipeline.Storage.Tables;

/// <summary>One inner response of an entity group transaction, exposed as an Azure.Core <see cref="Response"/>.</summary>
internal sealed class BatchPartResponse : Response
{
    private readonly Dictionary<string, string> _headers;
    private readonly string _body;

    private BatchPartResponse(int status, string reason, Dictionary<string, string> headers, string body)
    {
        Status = status;
        ReasonPhrase = reason;
        _headers = headers;
        _body = body;
        ContentStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(body));
    }

    public override int Status { get; }

    public override string ReasonPhrase { get; }

    public override Stream? ContentStream { get; set; }

    public override string ClientRequestId { get; set; } = string.Empty;

    public int? ContentId => _headers.TryGetValue("Content-ID", out var id) && int.TryParse(id, CultureInfo.InvariantCulture, out var value) ? value : null;

    /// <summary>Parses the text after a status line: headers, a blank line, then an optional body up to the next boundary.</summary>
    public static BatchPartResponse Parse(int status, string reason, string rest)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var lines = rest.Split("\r\n");
        var i = 0;
        for (; i < lines.Length && lines[i].Length > 0; i++)
        {
            var colon = lines[i].IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                headers[lines[i][..colon].Trim()] = lines[i][(colon + 1)..].Trim();
            }
        }

        var body = string.Join("\r\n", lines.Skip(i + 1).TakeWhile(l => !l.StartsWith("--", StringComparison.Ordinal))).Trim();
        return new BatchPartResponse(status, reason, headers, body);
    }

    /// <summary>The error code and message of a failed part.</summary>
    public (string? Code, string Message) Error()
    {
        try
        {
            using var json = JsonDocument.Parse(_body);
            var error = json.RootElement.GetProperty("odata.error");
            return (error.GetProperty("code").GetString(), error.GetProperty("message").GetProperty("value").GetString() ?? string.Empty);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return (null, string.IsNullOrEmpty(_body) ? ReasonPhrase : _body);
        }
    }

    public override void Dispose() => ContentStream?.Dispose();

    protected override bool ContainsHeader(string name) => _headers.ContainsKey(name);

    protected override IEnumerable<HttpHeader> EnumerateHeaders() => _headers.Select(h => new HttpHeader(h.Key, h.Value));

    protected override bool TryGetHeader(string name, [NotNullWhen(true)] out string? value) => _headers.TryGetValue(name, out value);

    protected override bool TryGetHeaderValues(string name, [NotNullWhen(true)] out IEnumerable<string>? values)
    {
        values = _headers.TryGetValue(name, out var value) ? [value] : null;
        return values is not null;
    }
}
