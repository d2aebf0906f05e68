namespace Pipeline.Domain.Tests.Views.Specs;

/// <summary>The repository's <c>views/</c> folder (the shipped view specs and their JSON Schema) and its
/// <c>examples/</c> (specs a user registers while the pipeline runs).</summary>
internal static class SpecFiles
{
    public static string Folder
    {
        get
        {
            for (
                var directory = new DirectoryInfo(AppContext.BaseDirectory);
                directory is not null;
                directory = directory.Parent
            )
            {
                var views = Path.Combine(directory.FullName, "views");
                if (File.Exists(Path.Combine(directory.FullName, "Pipeline.sln")) && Directory.Exists(views))
                {
                    return views;
                }
            }

            throw new DirectoryNotFoundException("views/ not found above the test folder");
        }
    }

    public static string SchemaPath => Path.Combine(Folder, "view-spec.schema.json");

    /// <summary>The repository's <c>examples/</c> folder.</summary>
    public static string ExamplesFolder => Path.Combine(Path.GetDirectoryName(Folder)!, "examples");

    /// <summary>A spec file by name (<c>new-users.2</c>), shipped or an example.</summary>
    public static string PathOf(string file) =>
        File.Exists(Path.Combine(Folder, file + ".json"))
            ? Path.Combine(Folder, file + ".json")
            : Path.Combine(ExamplesFolder, file + ".json");

    /// <summary>A spec file read and built into a view.</summary>
    public static Domain.Views.ViewDefinition View(string file) =>
        Domain.Views.Specs.SpecCompiler.Compile(
            Domain.Views.Specs.ViewSpecReader.Read(File.ReadAllBytes(PathOf(file))).Spec!
        );

    /// <summary>Every shipped spec file (all but the schema).</summary>
    public static IEnumerable<string> Shipped =>
        Directory
            .EnumerateFiles(Folder, "*.json")
            .Where(f => !f.EndsWith(".schema.json", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

    /// <summary>Every example spec file.</summary>
    public static IEnumerable<string> Examples =>
        Directory.EnumerateFiles(ExamplesFolder, "*.json").Order(StringComparer.Ordinal);

    /// <summary>The example of the spec's contract: filters, a dimension and one aggregate of every kind.</summary>
    public const string Example = """
        {
          "name": "orders-by-region",
          "version": 1,
          "description": "Orders and revenue per UTC hour and region.",
          "where": { "all": [ { "field": "type", "op": "eq", "value": "order.placed" },
                              { "field": "data.amount", "op": "gt", "value": 0 } ] },
          "window": "hour",
          "by": ["data.region"],
          "aggregates": [
            { "name": "orders",   "op": "count" },
            { "name": "revenue",  "op": "sum", "field": "data.amount" },
            { "name": "buyers",   "op": "distinct", "field": "subject" },
            { "name": "largest",  "op": "max", "field": "data.amount" },
            { "name": "average",  "op": "avg", "field": "data.amount" },
            { "name": "big",      "op": "count", "where": { "field": "data.amount", "op": "ge", "value": 1000 } },
            { "name": "cheapest", "op": "min", "field": "data.amount" },
            { "name": "tiers",    "op": "approxDistinct", "field": "data.customer.tier", "precision": 12 }
          ]
        }
        """;
}
