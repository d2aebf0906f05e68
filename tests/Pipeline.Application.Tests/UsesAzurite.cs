using Pipeline.Testing;

namespace Pipeline.Application.Tests;

[CollectionDefinition(Name)]
public sealed class UsesAzurite : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "azurite";
}

/// <summary>
/// A second Azurite for the batch layer's longer tests (recomputes, retries across partitions, audits,
/// schedules): its collection runs beside the first one, so the two halves of the suite take turns on
/// neither emulator.
/// </summary>
[CollectionDefinition(Name)]
public sealed class UsesBatchAzurite : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "azurite-batch";
}
