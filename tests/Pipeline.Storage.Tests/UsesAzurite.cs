using Pipeline.Testing;

namespace Pipeline.Storage.Tests;

[CollectionDefinition(Name)]
public sealed class UsesAzurite : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "azurite";
}
