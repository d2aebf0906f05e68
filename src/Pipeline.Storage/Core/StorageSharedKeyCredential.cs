using System.Security.Cryptography;
using System.Text;

namespace Pipeline.Storage.Core;

/// <summary>An account name and key for SharedKey authorization.</summary>
public sealed class StorageSharedKeyCredential
{
    private readonly byte[] _key;

    /// <summary>Creates a credential; the key is the base64 account key.</summary>
    public StorageSharedKeyCredential(string accountName, string accountKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(accountName);
        ArgumentException.ThrowIfNullOrEmpty(accountKey);
        AccountName = accountName;
        try
        {
            _key = Convert.FromBase64String(accountKey);
        }
        catch (FormatException ex)
        {
            throw new FormatException($"the account key of '{accountName}' is not base64", ex);
        }
    }

    /// <summary>The storage account name.</summary>
    public string AccountName { get; }

    /// <summary>HMAC-SHA256 of the string to sign, base64 encoded.</summary>
    internal string Sign(string stringToSign) =>
        Convert.ToBase64String(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(stringToSign)));
}
