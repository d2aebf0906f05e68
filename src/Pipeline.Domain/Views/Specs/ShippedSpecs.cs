namespace Pipeline.Domain.Views.Specs;

/// <summary>The specs in the repository's <c>views/</c> folder, embedded in this assembly: the shipped views.</summary>
public static class ShippedSpecs
{
    private const string Prefix = "views/";

    /// <summary>Every shipped spec, by file name (<c>new-users.1</c> for <c>views/new-users.1.json</c>).</summary>
    public static IReadOnlyList<ViewSpec> All { get; } =
    [
        .. typeof(ShippedSpecs)
            .Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal) && n.EndsWith(".json", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n => Read(n[Prefix.Length..^".json".Length])),
    ];

    /// <summary>Reads one shipped spec (<c>views/{file}.json</c>).</summary>
    /// <exception cref="InvalidDataException">The file is not a valid spec (a test keeps them valid).</exception>
    public static ViewSpec Read(string file)
    {
        using var stream =
            typeof(ShippedSpecs).Assembly.GetManifestResourceStream($"{Prefix}{file}.json")
            ?? throw new InvalidOperationException(
                $"views/{file}.json is not embedded in {typeof(ShippedSpecs).Assembly}"
            );
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        var reading = ViewSpecReader.Read(memory.ToArray());
        return reading.Spec
            ?? throw new InvalidDataException($"views/{file}.json: {string.Join("; ", reading.Problems)}");
    }
}
