using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Pipeline.Application.Configuration;
using Pipeline.Storage.Tables;

namespace Pipeline.Application.Storage;

/// <summary>
/// Keeps with the data what it must be read with: the epoch length (epochs number the raw log's segments,
/// every speed row and every batch cutoff, so data written with one length and read with another gives wrong
/// answers) and the storage layout (<see cref="StorageLayout.Version"/>). The first start records both; a later
/// start with another one fails, naming both.
/// </summary>
public static class StoredSettingsGuard
{
    /// <summary>Records the settings where none are recorded; throws if others are.</summary>
    /// <exception cref="OptionsValidationException">The storage's data was written with another epoch length or
    /// layout.</exception>
    public static async Task CheckAsync(
        PipelineStore store,
        TimeSpan epochLength,
        CancellationToken cancellationToken = default
    )
    {
        ArgumentNullException.ThrowIfNull(store);
        var setting = $"{PipelineOptions.Section}:{nameof(PipelineOptions.EpochLength)}";
        var keptLength = TimeSpan.FromTicks(
            await KeepAsync(store, StorageLayout.Settings.EpochLength, epochLength.Ticks, cancellationToken)
                .ConfigureAwait(false)
        );
        if (keptLength != epochLength)
        {
            throw new OptionsValidationException(
                setting,
                typeof(PipelineOptions),
                [
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"{setting} is {epochLength:c}, but the data in this storage was written with epochs of "
                            + $"{keptLength:c}, and epochs number the raw log and every view: set it to "
                            + $"{keptLength:c}, or use other storage (another Pipeline:StoragePrefix or "
                            + $"DevHost:DataDirectory)"
                    ),
                ]
            );
        }

        var keptLayout = await KeepAsync(store, StorageLayout.Settings.Layout, StorageLayout.Version, cancellationToken)
            .ConfigureAwait(false);
        if (keptLayout != StorageLayout.Version)
        {
            throw new OptionsValidationException(
                nameof(StorageLayout),
                typeof(PipelineOptions),
                [
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"the data in this storage was written with storage layout {keptLayout}, and this build reads "
                            + $"layout {StorageLayout.Version}: use other storage (another Pipeline:StoragePrefix or "
                            + $"DevHost:DataDirectory), or replay it there from the raw log"
                    ),
                ]
            );
        }
    }

    /// <summary>The recorded value of a setting, recording <paramref name="value"/> first if none is.</summary>
    private static async Task<long> KeepAsync(
        PipelineStore store,
        string name,
        long value,
        CancellationToken cancellationToken
    )
    {
        var recorded = await store
            .Pointers.GetEntityOrNullAsync(
                StorageLayout.Settings.PartitionKey,
                name,
                cancellationToken: cancellationToken
            )
            .ConfigureAwait(false);
        if (recorded is null)
        {
            try
            {
                await store
                    .Pointers.AddEntityAsync(
                        new TableEntity(StorageLayout.Settings.PartitionKey, name) { ["Value"] = value },
                        cancellationToken
                    )
                    .ConfigureAwait(false);
                return value;
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                // Another host recorded one meanwhile: compare with it.
                recorded = await store
                    .Pointers.GetEntityOrNullAsync(
                        StorageLayout.Settings.PartitionKey,
                        name,
                        cancellationToken: cancellationToken
                    )
                    .ConfigureAwait(false);
            }
        }

        return recorded!.GetInt64("Value") ?? value;
    }
}
