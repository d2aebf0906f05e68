using System.Text;
using Pipeline.Application.Batch;
using Pipeline.Application.Ingest;
using Pipeline.Application.Quarantine;
using Pipeline.Application.RawLog;
using Pipeline.Domain.Hashing;
using Pipeline.Testing;

namespace Pipeline.Application.Tests;

/// <summary>
/// The SDK's uploads are create-only unless told otherwise: history (raw log, quarantine) must stay
/// create-only, and every batch-work write that a retried activity repeats must overwrite.
/// </summary>
[Collection(UsesAzurite.Name)]
public class BlobWriteModeTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task RawSegment_IsNeverOverwritten_ByAnotherBatchUnderItsName()
    {
        await using var context = await PipelineContext.CreateAsync(azurite);
        var handler = context.NewHandler();
        await handler.IngestAsync(
            new IngestBatch(0, PipelineContext.Incoming([PipelineContext.Event("a", "user.signup", "u1", 0)]))
        );
        var segment = Assert.Single(await context.RawSegmentsAsync());
        var original = (await context.Store.Raw.GetBlobClient(segment).DownloadContentAsync()).Value.Content.ToArray();

        // A second process with the same position but other bytes (it cannot happen with Event Hubs, which is the
        // point).
        await context
            .NewHandler()
            .IngestAsync(
                new IngestBatch(0, PipelineContext.Incoming([PipelineContext.Event("other", "user.signup", "u2", 0)]))
            );

        Assert.Equal(
            original,
            (await context.Store.Raw.GetBlobClient(segment).DownloadContentAsync()).Value.Content.ToArray()
        );
        Assert.Single(await context.RawSegmentsAsync());
    }

    [Fact]
    public async Task BatchWork_IsOverwritten_WhenAnActivityRunsAgain()
    {
        await using var context = await PipelineContext.CreateAsync(azurite);
        var horizon = TimeSpan.FromDays(7);
        IndexedIdentity[] first = [new(1, 10)];
        IndexedIdentity[] second = [new(2, 20), new(3, 30)];

        foreach (var entries in new[] { first, second })
        {
            var writer = IdentityIndex.ShardWriter(context.Store, horizon, 5, 0, 1);
            foreach (var entry in entries)
            {
                await writer.AddAsync(entry, CancellationToken.None);
            }

            await writer.CommitAsync(CancellationToken.None);
        }

        Assert.Equal(
            second,
            await IdentityIndex.ReadShardAsync(context.Store, horizon, 5, 1, 0, 1, CancellationToken.None).ToListAsync()
        );
    }

    [Fact]
    public async Task IdentityIndexShard_OfManyBlocks_IsReadBackWhole_InOrder()
    {
        await using var context = await PipelineContext.CreateAsync(azurite);
        var horizon = TimeSpan.FromDays(7);
        // About 9.6 MB: three staged blocks written, and many buffers read.
        var entries = Enumerable
            .Range(1, 400_000)
            .Select(i => new IndexedIdentity(new UInt128((ulong)i * (ulong.MaxValue / 400_001), 0), i))
            .ToList();
        var writer = IdentityIndex.ShardWriter(context.Store, horizon, 9, 0, 1);
        foreach (var entry in entries)
        {
            await writer.AddAsync(entry, CancellationToken.None);
        }

        await writer.CommitAsync(CancellationToken.None);

        Assert.Equal(entries.Count, writer.Count);
        Assert.Equal(
            entries,
            await IdentityIndex.ReadShardAsync(context.Store, horizon, 9, 1, 0, 1, CancellationToken.None).ToListAsync()
        );
        // Read as two shards of that one: each gets its half, in order.
        var low = await IdentityIndex
            .ReadShardAsync(context.Store, horizon, 9, 1, 0, 2, CancellationToken.None)
            .ToListAsync();
        var high = await IdentityIndex
            .ReadShardAsync(context.Store, horizon, 9, 1, 1, 2, CancellationToken.None)
            .ToListAsync();
        Assert.Equal(entries, low.Concat(high));
        Assert.NotEmpty(low);
        Assert.NotEmpty(high);
    }

    [Fact]
    public async Task QuarantineEntry_IsWrittenOnce()
    {
        await using var context = await PipelineContext.CreateAsync(azurite);
        await context
            .NewHandler()
            .IngestAsync(
                new IngestBatch(0, [new IncomingEvent(Encoding.UTF8.GetBytes("{not json"), 0, PipelineContext.Start)])
            );
        var name = Pipeline.Application.Storage.StorageLayout.Quarantine.Entry(0, 0);
        var stored = (await context.Store.Quarantine.GetBlobClient(name).GetPropertiesAsync()).Value.ETag;

        await context
            .NewHandler()
            .IngestAsync(
                new IngestBatch(
                    0,
                    [new IncomingEvent(Encoding.UTF8.GetBytes("{other bytes"), 0, PipelineContext.Start)]
                )
            );

        Assert.Equal(stored, (await context.Store.Quarantine.GetBlobClient(name).GetPropertiesAsync()).Value.ETag);
    }
}
