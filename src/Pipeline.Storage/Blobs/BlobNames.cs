namespace Pipeline.Storage.Blobs;

/// <summary>Client-side checks of container and blob names, so bad names fail before any request.</summary>
internal static class BlobNames
{
    public static void ValidateContainer(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var valid = name.Length is >= 3 and <= 63
            && char.IsAsciiLetterOrDigit(name[0]) && char.IsAsciiLetterOrDigit(name[^1])
            && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')
            && !name.Contains("--", StringComparison.Ordinal);
        if (!valid)
        {
            throw new ArgumentException($"container name '{name}' must be 3-63 characters of a-z, 0-9 and single dashes, starting and ending with a letter or digit", nameof(name));
        }
    }

    public static void ValidateBlob(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Length > 1024)
        {
            throw new ArgumentException($"blob name is {name.Length} characters; the limit is 1,024", nameof(name));
        }

        if (name.Any(char.IsControl) || name.EndsWith('.') || name.EndsWith('/') || name.Contains('\\', StringComparison.Ordinal))
        {
            throw new ArgumentException($"blob name '{name}' must not contain control characters or backslashes, nor end with '.' or '/'", nameof(name));
        }
    }

    /// <summary>Escapes each path segment, keeping '/' as the virtual-directory separator.</summary>
    public static string EscapePath(string name) =>
        string.Join('/', name.Split('/').Select(Uri.EscapeDataString));
}
