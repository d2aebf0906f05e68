using System.Globalization;
using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Pipeline.Storage.Core;

/// <summary>
/// Signs each attempt of a request with SharedKey. It runs per retry, so every retry gets a fresh
/// <c>x-ms-date</c> and a signature over the headers Azure.Core added before it.
/// </summary>
internal abstract class SharedKeyPolicy(StorageSharedKeyCredential credential) : HttpPipelineSynchronousPolicy
{
    protected StorageSharedKeyCredential Credential { get; } = credential;

    public override void OnSendingRequest(HttpMessage message)
    {
        var request = message.Request;
        var date = DateTimeOffset.UtcNow.ToString("r", CultureInfo.InvariantCulture);
        request.Headers.SetValue("x-ms-date", date);
        var signature = Credential.Sign(StringToSign(request, date));
        request.Headers.SetValue("Authorization", $"SharedKey {Credential.AccountName}:{signature}");
    }

    protected abstract string StringToSign(Request request, string date);

    /// <summary>
    /// <c>/account/path</c>. With path-style URLs (Azurite, http://host:port/account/...) the account
    /// name is also the path's first segment, so it appears twice, as the service expects.
    /// </summary>
    protected string CanonicalResource(Uri uri) => $"/{Credential.AccountName}{uri.AbsolutePath}";

    protected static string Header(Request request, string name) =>
        request.Headers.TryGetValue(name, out var value) ? value : string.Empty;

    protected static Dictionary<string, List<string>> QueryParameters(Uri uri)
    {
        var parameters = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]).ToLowerInvariant();
            var value = equals < 0 ? string.Empty : Uri.UnescapeDataString(pair[(equals + 1)..]);
            if (!parameters.TryGetValue(name, out var values))
            {
                parameters[name] = values = [];
            }

            values.Add(value);
        }

        return parameters;
    }
}

/// <summary>SharedKey for the Blob service: verb, standard headers, <c>x-ms-*</c> headers, resource and every query parameter.</summary>
internal sealed class BlobSharedKeyPolicy(StorageSharedKeyCredential credential) : SharedKeyPolicy(credential)
{
    protected override string StringToSign(Request request, string date)
    {
        var length = request.Content is not null && request.Content.TryComputeLength(out var bytes) && bytes > 0
            ? bytes.ToString(CultureInfo.InvariantCulture)
            : string.Empty;
        var text = new StringBuilder()
            .Append(request.Method.Method).Append('\n')
            .Append(Header(request, "Content-Encoding")).Append('\n')
            .Append(Header(request, "Content-Language")).Append('\n')
            .Append(length).Append('\n')
            .Append(Header(request, "Content-MD5")).Append('\n')
            .Append(Header(request, "Content-Type")).Append('\n')
            .Append('\n') // Date: x-ms-date is used instead.
            .Append(Header(request, "If-Modified-Since")).Append('\n')
            .Append(Header(request, "If-Match")).Append('\n')
            .Append(Header(request, "If-None-Match")).Append('\n')
            .Append(Header(request, "If-Unmodified-Since")).Append('\n')
            .Append(Header(request, "Range")).Append('\n');

        foreach (var header in request.Headers
                     .Where(h => h.Name.StartsWith("x-ms-", StringComparison.OrdinalIgnoreCase))
                     .Select(h => (Name: h.Name.ToLowerInvariant(), Value: h.Value.Trim()))
                     .OrderBy(h => h.Name, StringComparer.Ordinal))
        {
            text.Append(header.Name).Append(':').Append(header.Value).Append('\n');
        }

        var uri = request.Uri.ToUri();
        text.Append(CanonicalResource(uri));
        foreach (var (name, values) in QueryParameters(uri).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            values.Sort(StringComparer.Ordinal);
            text.Append('\n').Append(name).Append(':').Append(string.Join(',', values));
        }

        return text.ToString();
    }
}

/// <summary>SharedKey for the Table service: verb, Content-MD5, Content-Type, date and resource with only <c>comp</c>.</summary>
internal sealed class TableSharedKeyPolicy(StorageSharedKeyCredential credential) : SharedKeyPolicy(credential)
{
    protected override string StringToSign(Request request, string date)
    {
        var uri = request.Uri.ToUri();
        var resource = CanonicalResource(uri);
        if (QueryParameters(uri).TryGetValue("comp", out var comp))
        {
            resource += "?comp=" + comp[0];
        }

        return $"{request.Method.Method}\n{Header(request, "Content-MD5")}\n{Header(request, "Content-Type")}\n{date}\n{resource}";
    }
}
