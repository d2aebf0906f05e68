using Pipeline.Testing;

namespace Pipeline.Durable.Tests;

[CollectionDefinition(Name)]
public sealed class UsesAzurite : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "azurite";
}
