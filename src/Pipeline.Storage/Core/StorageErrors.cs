using System.Text.Json;
using System.Xml.Linq;
using Azure;
using Azure.Core;

namespace Pipeline.Storage.Core;

/// <summary>
/// Reads the error code and message of a failed storage response: the <c>x-ms-error-code</c> header,
/// the Blob service's XML <c>&lt;Error&gt;</c> body, or the Table service's JSON <c>odata.error</c>.
/// </summary>
internal sealed class StorageErrorParser : RequestFailedDetailsParser
{
    public static readonly StorageErrorParser Instance = new();

    public override bool TryParse(Response response, out ResponseError? error, out IDictionary<string, string>? data)
    {
        data = null;
        response.Headers.TryGetValue("x-ms-error-code", out var code);
        var message = string.Empty;
        try
        {
            var body = response.Content?.ToString() ?? string.Empty;
            if (body.StartsWith('{'))
            {
                using var json = JsonDocument.Parse(body);
                if (json.RootElement.TryGetProperty("odata.error", out var odata))
                {
                    code ??= odata.GetProperty("code").GetString();
                    message = odata.TryGetProperty("message", out var m) && m.TryGetProperty("value", out var v) ? v.GetString() ?? string.Empty : string.Empty;
                }
            }
            else if (body.Contains("<Error>", StringComparison.Ordinal))
            {
                var xml = XDocument.Parse(body.TrimStart('\uFEFF'));
                code ??= xml.Root?.Element("Code")?.Value;
                message = xml.Root?.Element("Message")?.Value ?? string.Empty;
            }
        }
        catch (Exception ex) when (ex is JsonException or System.Xml.XmlException or KeyNotFoundException or InvalidOperationException)
        {
            // An unreadable error body still leaves the status and header code, which are reported.
        }

        error = new ResponseError(code, string.IsNullOrEmpty(message) ? response.ReasonPhrase : message.Split('\n')[0]);
        return true;
    }

    /// <summary>The exception for a response the caller did not expect.</summary>
    public static RequestFailedException Failure(Response response) => new(response, null, Instance);
}
