using System.Text;
using Pipeline.Application.Ingest;
using Pipeline.Domain.Views;
using Pipeline.Testing;

namespace Pipeline.Application.Tests;

/// <summary>
/// Ingest under real storage faults (a relay in front of Azurite's Table endpoint): whatever a failed write
/// did, nothing of it survives, and the batch retried once storage answers is counted exactly once.
/// </summary>
[Collection(UsesAzurite.Name)]
public class StorageFaultTests(AzuriteFixture azurite)
{
    private static IncomingEvent[] Signups(int count, long first) =>
        [
            .. Enumerable
                .Range(0, count)
                .Select(i =>
                    PipelineContext.Signup($"s{first + i}", $"u{first + i}", 0, first + i, (first + i) * 0.01)
                ),
        ];

    [Theory]
    [InlineData(RelayMode.Unavailable)]
    [InlineData(RelayMode.Cut)]
    [InlineData(RelayMode.Refuse)]
    public async Task ABatchThatFailedOnTheTables_IsCountedOnce_WhenRetriedAfterTheOutage(RelayMode fault)
    {
        await using var relay = StorageRelay.Start(azurite.Emulator!.TablePort);
        await using var context = await PipelineContext.CreateAsync(
            azurite,
            connectionString: azurite.ConnectionThrough(tablePort: relay.Port)
        );
        var handler = context.NewHandler();
        await handler.IngestAsync(new IngestBatch(0, Signups(1000, 0)));

        // The second batch meets the outage until the storage client's own retries run out.
        relay.Set(fault);
        await Assert.ThrowsAnyAsync<Exception>(() => handler.IngestAsync(new IngestBatch(0, Signups(1000, 1000))));

        // Storage answers again: the same batch is delivered again (at least once), then the third.
        relay.Set(RelayMode.Pass);
        await handler.IngestAsync(new IngestBatch(0, Signups(1000, 1000)));
        await handler.IngestAsync(new IngestBatch(0, Signups(1000, 2000)));

        // Answers read the speed rows from storage: what storage holds is exact.
        Assert.Equal(3000m, await context.ValueAsync(BuiltInViews.NewUsers, PipelineContext.Day(0)));
    }
}
