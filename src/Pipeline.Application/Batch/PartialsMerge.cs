using Azure.Storage.Blobs;

namespace Pipeline.Application.Batch;

/// <summary>
/// The entries of many partials blobs in one key order (equal keys one after another), each blob read as it goes.
/// A blob is opened only when the merge reaches its first key (read beforehand from its first bytes), so the blobs
/// open at once are those whose keys overlap the merge's place, not all of them: chunks of a long log hold keys
/// of their own days, and the merge holds a buffer per open blob.
/// </summary>
internal sealed class PartialsMerge : IAsyncDisposable
{
    private const int Peeks = 16;

    private readonly BlobContainerClient _container;
    private readonly Queue<(string FirstKey, string Blob)> _waiting;
    private readonly PriorityQueue<PartialsReader, string> _open = new(StringComparer.Ordinal);
    private readonly CancellationToken _cancellationToken;
    private PartialsReader? _current;

    private PartialsMerge(
        BlobContainerClient container,
        IEnumerable<(string FirstKey, string Blob)> waiting,
        CancellationToken cancellationToken
    )
    {
        (_container, _cancellationToken) = (container, cancellationToken);
        _waiting = new Queue<(string, string)>(waiting);
    }

    /// <summary>The current entry (valid after <see cref="MoveNextAsync"/> returned true).</summary>
    public PartialsReader Current => _current!;

    /// <summary>Blobs open at once, at most, so far.</summary>
    public int MostOpen { get; private set; }

    /// <summary>Reads every blob's first key, and orders the blobs by it.</summary>
    public static async Task<PartialsMerge> OpenAsync(
        BlobContainerClient container,
        IReadOnlyList<string> blobs,
        CancellationToken cancellationToken
    )
    {
        var firstKeys = new string?[blobs.Count];
        await Parallel
            .ForAsync(
                0,
                blobs.Count,
                new ParallelOptions { MaxDegreeOfParallelism = Peeks, CancellationToken = cancellationToken },
                async (i, ct) =>
                    firstKeys[i] = await PartialsReader
                        .FirstKeyAsync(container.GetBlobClient(blobs[i]), ct)
                        .ConfigureAwait(false)
            )
            .ConfigureAwait(false);
        var waiting = firstKeys
            .Zip(blobs)
            .Where(b => b.First is not null)
            .Select(b => (FirstKey: b.First!, Blob: b.Second))
            .OrderBy(b => b.FirstKey, StringComparer.Ordinal)
            .ThenBy(b => b.Blob, StringComparer.Ordinal);
        return new PartialsMerge(container, waiting, cancellationToken);
    }

    /// <summary>Moves to the next entry in key order; false when every blob is read.</summary>
    public async ValueTask<bool> MoveNextAsync()
    {
        if (_current is not null)
        {
            await AdvanceAsync(_current).ConfigureAwait(false);
            _current = null;
        }

        while (
            _waiting.Count > 0
            && (
                !_open.TryPeek(out _, out var smallest)
                || string.CompareOrdinal(_waiting.Peek().FirstKey, smallest) <= 0
            )
        )
        {
            var reader = await PartialsReader
                .OpenAsync(_container.GetBlobClient(_waiting.Dequeue().Blob), _cancellationToken)
                .ConfigureAwait(false);
            await AdvanceAsync(reader).ConfigureAwait(false);
            MostOpen = Math.Max(MostOpen, _open.Count);
        }

        return _open.TryDequeue(out _current, out _);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_current is not null)
        {
            await _current.DisposeAsync().ConfigureAwait(false);
        }

        while (_open.TryDequeue(out var reader, out _))
        {
            await reader.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async ValueTask AdvanceAsync(PartialsReader reader)
    {
        bool more;
        try
        {
            more = await reader.MoveNextAsync(_cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await reader.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        if (more)
        {
            _open.Enqueue(reader, reader.Key);
        }
        else
        {
            await reader.DisposeAsync().ConfigureAwait(false);
        }
    }
}
