using Pipeline.Testing;

namespace Pipeline.DevHost.Tests;

[CollectionDefinition(Name)]
public sealed class UsesAzurite : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "azurite";
}

/// <summary>
/// A second Azurite for tests that need no data of the others' runs (new-user findings, the API
/// description, the console in a browser): its collection runs beside the first one.
/// </summary>
[CollectionDefinition(Name)]
public sealed class UsesSecondAzurite : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "azurite-2";
}

/// <summary>
/// A third Azurite for the storage outage through relays: its collection runs beside the others.
/// </summary>
[CollectionDefinition(Name)]
public sealed class UsesThirdAzurite : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "azurite-3";
}

/// <summary>
/// A fourth Azurite for the walkthroughs over HTTP (publish, query, versions): its collection runs beside
/// the others.
/// </summary>
[CollectionDefinition(Name)]
public sealed class UsesFourthAzurite : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "azurite-4";
}

/// <summary>A fifth Azurite for the console in a browser: its collection runs beside the others.</summary>
[CollectionDefinition(Name)]
public sealed class UsesFifthAzurite : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "azurite-5";
}

/// <summary>A sixth Azurite for two hosts on one storage account: its collection runs beside the others.</summary>
[CollectionDefinition(Name)]
public sealed class UsesSixthAzurite : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "azurite-6";
}
