using Xunit.Abstractions;

[assembly: TestCollectionOrderer("Pipeline.DevHost.Tests.LongestCollectionsFirst", "Pipeline.DevHost.Tests")]

namespace Pipeline.DevHost.Tests;

/// <summary>
/// Starts the collections that run longest first: xunit runs as many at once as it is allowed (xunit.runner.json)
/// and starts the next when one ends, so a long collection started last would run on alone while processors idle.
/// </summary>
public sealed class LongestCollectionsFirst : ITestCollectionOrderer
{
    /// <summary>Longest first, as measured alone on 2 cores: about 80, 60, 60, 55, 45 and 30 seconds.</summary>
    private static readonly string[] Order =
    [
        UsesAzurite.Name,
        UsesThirdAzurite.Name,
        UsesSixthAzurite.Name,
        UsesSecondAzurite.Name,
        UsesFourthAzurite.Name,
        UsesFifthAzurite.Name,
    ];

    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        testCollections.OrderBy(collection =>
            Array.IndexOf(Order, collection.DisplayName) is var index and >= 0 ? index : Order.Length
        );
}
