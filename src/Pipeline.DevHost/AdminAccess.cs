using System.Security.Cryptography;
using System.Text;
using Pipeline.Http;

namespace Pipeline.DevHost;

/// <summary>The dev host's admin key (<c>DevHost:AdminKey</c>, else the local key kept in its data folder) and where it
/// came from.</summary>
/// <param name="Value">The key.</param>
/// <param name="Source">Where a user finds it.</param>
internal sealed record AdminKey(string Value, string Source);

/// <summary>
/// The dev host's stand-in for the admin authorization level of Azure Functions: admin routes need the admin
/// key in the <c>x-functions-key</c> header (or <c>code=</c>); a missing key and a wrong one are told apart.
/// </summary>
internal static class AdminAccess
{
    /// <summary>The refusal for a request without the right key; null when it has it.</summary>
    public static ApiResult? Refuse(HttpRequest request, AdminKey key)
    {
        var header = request.Headers["x-functions-key"].ToString();
        var given = header.Length > 0 ? header : request.Query["code"].ToString();
        if (given.Length == 0)
        {
            return OutcomeResults.Error(
                401,
                $"this route needs the admin key in the x-functions-key header (or code=); it is {key.Source}"
            );
        }

        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(key.Value))
            ? null
            : OutcomeResults.Error(401, $"the admin key given is not this host's admin key; it is {key.Source}");
    }
}
