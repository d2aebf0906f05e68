using Pipeline.Application.Ingest;
using Pipeline.Application.Orchestration;
using Pipeline.Application.Storage;
using Pipeline.Domain.Views;

namespace Pipeline.Application.Batch;

/// <summary>The activities of the recompute orchestration, for runners built by hand (tests, benchmarks).</summary>
internal static class RecomputeActivities
{
    public static IActivity[] Create(PipelineStore store, ProgressStore progress, PointerStore pointers, ViewRegistry registry) =>
    [
        new PlanFoldsActivity(store, progress),
        new FoldChunkActivity(store, registry),
        new SettlePartitionActivity(store, registry),
        new WriteBatchViewActivity(store, registry),
        new CommitBatchViewActivity(pointers),
        new ReadPointerActivity(pointers),
    ];
}
