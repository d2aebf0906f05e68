using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Pipeline.Application.Configuration;
using Pipeline.Storage.Tables;

namespace Pipeline.Application.Storage;

/// <summary>
/// Keeps the epoch length of a storage's data: epochs number the raw log's segments, every speed row and
/// every batch cutoff, so data written with one length read with another gives wrong answers. The first
/// start records the length; a later start with another one fails, naming both.
/// </summary>
public static class EpochLengthGuard
{
    private const string Partition = "setting";
    private const string Row = "epoch-length";

    /// <summary>Records <paramref name="configured"/> if no length is recorded; throws if another one is.</summary>
    /// <exception cref="OptionsValidationException">The storage's data was written with another epoch length.</exception>
    public static async Task CheckAsync(PipelineStore store, TimeSpan configured, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var recorded = await store.Pointers.GetEntityOrNullAsync(Partition, Row, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (recorded is null)
        {
            try
            {
                await store.Pointers.AddEntityAsync(new TableEntity(Partition, Row) { ["Ticks"] = configured.Ticks }, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                // Another host recorded one meanwhile: compare with it.
                recorded = await store.Pointers.GetEntityOrNullAsync(Partition, Row, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
        }

        var kept = TimeSpan.FromTicks(recorded!.GetInt64("Ticks") ?? configured.Ticks);
        if (kept != configured)
        {
            var setting = $"{PipelineOptions.Section}:{nameof(PipelineOptions.EpochLength)}";
            throw new OptionsValidationException(setting, typeof(PipelineOptions), [string.Create(CultureInfo.InvariantCulture,
                $"{setting} is {configured:c}, but the data in this storage was written with epochs of {kept:c}, and epochs number the raw log and every view: set it to {kept:c}, or use other storage (another Pipeline:StoragePrefix or DevHost:DataDirectory)")]);
        }
    }
}
