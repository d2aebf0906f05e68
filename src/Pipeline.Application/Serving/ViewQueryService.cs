using Pipeline.Domain.Epochs;
using Pipeline.Domain.Views;

namespace Pipeline.Application.Serving;

/// <summary>Answers view queries: batch(E) ⊕ speed(epochs ≥ E), with provenance. (No batch view exists yet, so speed alone answers.)</summary>
public sealed class ViewQueryService
{
    /// <summary>The most windows a range query may span.</summary>
    public const int MaxRangeWindows = 366;

    private readonly SpeedViewReader _speed;

    /// <summary>Creates the service.</summary>
    public ViewQueryService(Storage.PipelineStore store, ViewRegistry registry)
    {
        _speed = new SpeedViewReader(store);
        Registry = registry;
    }

    /// <summary>The registered views.</summary>
    public ViewRegistry Registry { get; }

    /// <summary>One key's answer.</summary>
    public async Task<MergedAnswer> QueryKeyAsync(ViewDefinition view, ViewKey key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(view);
        var speed = await _speed.ReadKeyAsync(view, key, cancellationToken).ConfigureAwait(false);
        return ServingMerge.Merge(view, key, batch: null, speed);
    }

    /// <summary>The answers of every window from <paramref name="from"/> to <paramref name="to"/> that has data, in window order.</summary>
    public async Task<IReadOnlyList<MergedAnswer>> QueryRangeAsync(ViewDefinition view, ViewKey from, ViewKey to, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(view);
        var speed = await _speed.ReadRangeAsync(view, from, to, cancellationToken).ConfigureAwait(false);
        return [.. speed.OrderBy(s => s.Key.WindowStart).Select(s => ServingMerge.Merge(view, s.Key, batch: null, s.Value))];
    }
}
