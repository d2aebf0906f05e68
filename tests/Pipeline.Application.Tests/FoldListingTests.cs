using Azure.Storage.Blobs.Models;
using Pipeline.Application.Batch;
using Pipeline.Application.Ingest;
using Pipeline.Application.RawLog;
using Pipeline.Application.Time;
using Pipeline.Application.Versions;
using Pipeline.Domain.Views;
using Pipeline.Testing;

namespace Pipeline.Application.Tests;

/// <summary>
/// A fold lists the raw log only where its partition had data when the recompute was planned: a chunk that starts
/// at epoch 0 would otherwise cost dozens of empty prefix listings, for every view and partition of every run. A
/// segment that lands after planning (a redelivery) is in an epoch that had data, so it is still read. The plan
/// itself, from epoch 0, lists from the log's first segment on.
/// </summary>
[Collection(UsesAzurite.Name)]
public class FoldListingTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task AFold_ListsOnlyTheEpochsItsPartitionHadDataIn_AndReadsASegmentThatLandedAfterPlanning()
    {
        await using var context = await PipelineContext.CreateAsync(azurite, epoch: TimeSpan.FromSeconds(10));
        var handler = context.NewHandler();
        await handler.IngestAsync(new IngestBatch(0, RecomputeTests.Signups(30, 0, epochOffset: 0)));
        await handler.IngestAsync(new IngestBatch(0, RecomputeTests.Signups(20, 30, epochOffset: 3)));
        var clock = context.Get<PipelineClock>();
        var first = clock.EpochOf(PipelineContext.Start);
        var cutoff = first + 10;

        FoldChunk[] chunks;
        using (var planning = StorageRequestCount.Start())
        {
            chunks = await new PlanFoldsActivity(context.Store, context.Progress, clock).RunAsync(
                null!,
                new PlanFoldsInput(cutoff, Since: 0, ChunkEvents: 1_000_000, RetryHorizon: TimeSpan.FromHours(1))
            );

            // The progress rows, where the log starts, and one listing per epoch block from there to the cutoff (4):
            // listed from epoch 0 itself, the blocks before the log's first segment take over 30 more.
            Assert.InRange(planning.Requests, 3, 8);
        }

        var chunk = Assert.Single(chunks);
        Assert.Equal((0L, cutoff), (chunk.FromEpoch, chunk.UntilEpoch));
        Assert.Equal((first, first + 4), chunk.ListedEpochs);

        // The first batch delivered again after planning, landing under another segment name in its epoch.
        var original = Assert.Single(await RawSegments.ListAsync(context.Store.Raw, first, first + 1, 0, default));
        var copy = context.Store.Raw.GetBlobClient(RawSegments.Name(first, 0, original.First, original.Last - 1));
        var download = (await context.Store.Raw.GetBlobClient(original.Name).DownloadContentAsync()).Value;
        await copy.UploadAsync(
            download.Content,
            new BlobUploadOptions
            {
                Metadata = download.Details.Metadata,
                HttpHeaders = new BlobHttpHeaders { ContentEncoding = download.Details.ContentEncoding },
            }
        );

        using var requests = StorageRequestCount.Start();
        var fold = await new FoldChunkActivity(context.Store, context.Get<SpecRegistry>()).RunAsync(
            null!,
            new FoldChunkInput(BuiltInViews.NewUsers.Name, BuiltInViews.NewUsers.Version, chunk, "listing", cutoff)
        );

        Assert.Equal((3, 80L, 30L), (fold.Segments, fold.EventsRead, fold.RedeliveredRemoved));
        // At most one listing per epoch of the span (4), then the segments' reads and the outputs' writes: 12
        // requests. Listed from epoch 0, the same fold takes 45.
        Assert.InRange(requests.Requests, 4, 16);
    }
}
