namespace Pipeline.Domain.Tests.Views.Specs;

/// <summary>The repository's <c>views/</c> folder: the shipped view specs and their JSON Schema.</summary>
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

    /// <summary>Every shipped spec file (all but the schema).</summary>
    public static IEnumerable<string> Shipped =>
        Directory
            .EnumerateFiles(Folder, "*.json")
            .Where(f => !f.EndsWith(".schema.json", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

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
