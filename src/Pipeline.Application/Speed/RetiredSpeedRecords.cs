using System.Buffers.Binary;
using System.Globalization;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Pipeline.Application.Batch;
using Pipeline.Application.Storage;
using Pipeline.Domain.Views;

namespace Pipeline.Application.Speed;

/// <summary>What the speed layer had answered, per key, for the epochs one retirement deleted.</summary>
/// <param name="FromEpoch">The first epoch the record speaks for.</param>
/// <param name="UntilEpoch">The record speaks for the epochs below this one (the newest retirement's cutoff).</param>
/// <param name="Said">The speed layer's partials per key over those epochs.</param>
internal sealed record RetiredSpeed(long FromEpoch, long UntilEpoch, ViewAccumulator Said);

/// <summary>
/// Keeps what the speed layer said before its rows are retired, so that an audit can compare it with the
/// raw log afterwards ("trust, but verify" also for the layer whose answers were replaced). One blob per
/// view version and retirement cutoff in the work container, named
/// <c>speed-said.{view@version}.{cutoff:D12}</c>: an 8-byte first epoch, then the merged partials per
/// key. Created once: a retirement repeated after a crash finds the blob and writes no second one, so
/// every retired row is recorded exactly once even if some were already deleted.
/// </summary>
internal static class RetiredSpeedRecords
{
    public static string Prefix(ViewDefinition view) => StorageLayout.Work.SpeedSaidPrefix(view.Id);

    public static string Name(ViewDefinition view, long cutoff) => StorageLayout.Work.SpeedSaid(view.Id, cutoff);

    /// <summary>Records the retired partials unless this cutoff's record exists already.</summary>
    public static async Task KeepAsync(
        PipelineStore store,
        ViewDefinition view,
        long fromEpoch,
        long cutoff,
        ViewAccumulator said,
        CancellationToken cancellationToken
    )
    {
        var partials = PartialsFile.Write(view, said.Partials);
        var content = new byte[8 + partials.Length];
        BinaryPrimitives.WriteInt64LittleEndian(content, fromEpoch);
        partials.CopyTo(content.AsSpan(8));
        try
        {
            await store
                .Work.GetBlobClient(Name(view, cutoff))
                .UploadAsync(
                    BinaryData.FromBytes(content),
                    new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } },
                    cancellationToken
                )
                .ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // Kept by an earlier run of this retirement, from all of its rows.
        }
    }

    /// <summary>Every record at or below <paramref name="upToCutoff"/>, merged; null when none exists.</summary>
    public static async Task<RetiredSpeed?> ReadAsync(
        PipelineStore store,
        ViewDefinition view,
        long upToCutoff,
        CancellationToken cancellationToken
    )
    {
        var said = new ViewAccumulator(view);
        long? from = null,
            until = null;
        var prefix = Prefix(view);
        await foreach (
            var blob in store
                .Work.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix }, cancellationToken)
                .ConfigureAwait(false)
        )
        {
            if (
                !long.TryParse(
                    blob.Name.AsSpan(prefix.Length),
                    NumberStyles.None,
                    CultureInfo.InvariantCulture,
                    out var cutoff
                )
                || cutoff > upToCutoff
            )
            {
                continue;
            }

            var content = (
                await store.Work.GetBlobClient(blob.Name).DownloadContentAsync(cancellationToken).ConfigureAwait(false)
            )
                .Value.Content.ToMemory()
                .Span;
            if (content.Length < 8)
            {
                throw new InvalidDataException($"speed record '{blob.Name}' is truncated");
            }

            from = Math.Min(from ?? long.MaxValue, BinaryPrimitives.ReadInt64LittleEndian(content));
            until = Math.Max(until ?? long.MinValue, cutoff);
            PartialsFile.MergeInto(said, content[8..], blob.Name);
        }

        return from is null ? null : new RetiredSpeed(from.Value, until!.Value, said);
    }
}
