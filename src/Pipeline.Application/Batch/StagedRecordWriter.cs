using Azure.Storage.Blobs.Specialized;

namespace Pipeline.Application.Batch;

/// <summary>Encodes one fixed-size record.</summary>
/// <typeparam name="T">The record.</typeparam>
internal delegate void RecordEncoder<in T>(T record, Span<byte> bytes);

/// <summary>
/// Writes fixed-size records to a block blob as they come, staging a block whenever the buffer fills and committing
/// the block list at the end: memory is one block, however many records there are, and a reader sees the whole
/// blob or its earlier content, never part of it. Block ids are the blocks' places, so two writers of the same
/// content to the same blob (two views' runs at one cutoff) stage and commit the same blocks.
/// </summary>
/// <typeparam name="T">The record.</typeparam>
internal sealed class StagedRecordWriter<T>
{
    private const int BlockBytes = 4 << 20;

    private readonly BlockBlobClient _blob;
    private readonly int _size;
    private readonly RecordEncoder<T> _encode;
    private readonly byte[] _buffer;
    private readonly List<string> _blocks = [];
    private int _used;

    public StagedRecordWriter(BlockBlobClient blob, int recordSize, RecordEncoder<T> encode)
    {
        (_blob, _size, _encode) = (blob, recordSize, encode);
        _buffer = new byte[BlockBytes - (BlockBytes % recordSize)];
    }

    /// <summary>Records written so far.</summary>
    public long Count { get; private set; }

    /// <summary>Adds a record (staged with its block once the block is full).</summary>
    public ValueTask AddAsync(T record, CancellationToken cancellationToken)
    {
        if (_used == _buffer.Length)
        {
            return StageThenAddAsync(record, cancellationToken);
        }

        _encode(record, _buffer.AsSpan(_used, _size));
        _used += _size;
        Count++;
        return ValueTask.CompletedTask;
    }

    /// <summary>Stages what is left and commits every block: the blob's content from then on.</summary>
    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        if (_used > 0)
        {
            await StageAsync(cancellationToken).ConfigureAwait(false);
        }

        await _blob.CommitBlockListAsync(_blocks, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask StageThenAddAsync(T record, CancellationToken cancellationToken)
    {
        await StageAsync(cancellationToken).ConfigureAwait(false);
        await AddAsync(record, cancellationToken).ConfigureAwait(false);
    }

    private async Task StageAsync(CancellationToken cancellationToken)
    {
        // Ids of one length (the service requires it), from the block's place.
        var id = Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes($"block-{_blocks.Count:D8}"));
        using var content = new MemoryStream(_buffer, 0, _used, writable: false);
        await _blob.StageBlockAsync(id, content, cancellationToken: cancellationToken).ConfigureAwait(false);
        _blocks.Add(id);
        _used = 0;
    }
}
