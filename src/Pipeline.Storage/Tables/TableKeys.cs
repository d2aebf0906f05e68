namespace Pipeline.Storage.Tables;

/// <summary>
/// The Table service's rules for PartitionKey and RowKey values, checked before a request: Azure refuses
/// what breaks them, and Azurite sometimes answers 500 instead (a <c>/</c> or <c>#</c> in a key).
/// </summary>
public static class TableKeys
{
    /// <summary>The key size limit: 1 KiB of UTF-16, 512 characters.</summary>
    public const int MaxKeyCharacters = 512;

    /// <summary>Whether <paramref name="key"/> is a valid PartitionKey or RowKey; <paramref name="error"/> says why
    /// not.</summary>
    public static bool IsValid(string? key, out string error)
    {
        error = string.Empty;
        if (key is null)
        {
            error = "a key must not be null";
            return false;
        }

        if (key.Length > MaxKeyCharacters)
        {
            error = $"a key may be at most 1 KiB ({MaxKeyCharacters} characters); this one has {key.Length}";
            return false;
        }

        foreach (var c in key)
        {
            if (c is '/' or '\\' or '#' or '?')
            {
                error = $"a key must not contain '/', '\\', '#' or '?'; '{key}' contains '{c}'";
                return false;
            }

            if (c <= '\u001F' || c is >= '\u007F' and <= '\u009F')
            {
                error = $"a key must not contain control characters; '{Printable(key)}' contains U+{(int)c:X4}";
                return false;
            }
        }

        return true;
    }

    /// <summary>Throws <see cref="ArgumentException"/> for an invalid key.</summary>
    public static void Validate(string? key, string parameterName)
    {
        if (!IsValid(key, out var error))
        {
            throw new ArgumentException(error, parameterName);
        }
    }

    private static string Printable(string key) => new([.. key.Select(c => char.IsControl(c) ? '\uFFFD' : c)]);
}
