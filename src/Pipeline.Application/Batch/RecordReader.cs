using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Pipeline.Application.Batch;

/// <summary>Decodes one fixed-size record.</summary>
/// <typeparam name="T">The record.</typeparam>
internal delegate T RecordDecoder<out T>(ReadOnlySpan<byte> bytes);

/// <summary>
/// Reads a range of fixed-size records from one blob as they are asked for, through one streaming download and a
/// small buffer: several readers merged side by side (<see cref="SortedMerge{T}"/>) hold a buffer each, not their
/// records.
/// </summary>
/// <typeparam name="T">The record.</typeparam>
internal sealed class RecordReader<T> : IAsyncEnumerator<T>
{
    private const int BufferBytes = 1 << 16;

    private readonly string _name;
    private readonly int _size;
    private readonly RecordDecoder<T> _decode;
    private readonly byte[] _buffer;
    private readonly Stream? _stream;
    private readonly CancellationToken _cancellationToken;
    private long _remaining;
    private int _offset;
    private int _held;

    private RecordReader(
        string name,
        Stream? stream,
        long count,
        int size,
        RecordDecoder<T> decode,
        CancellationToken ct
    )
    {
        (_name, _stream, _remaining, _size, _decode, _cancellationToken) = (name, stream, count, size, decode, ct);
        _buffer = stream is null ? [] : new byte[Math.Max(size, BufferBytes - (BufferBytes % size))];
        Current = default!;
    }

    /// <inheritdoc />
    public T Current { get; private set; }

    /// <summary>Opens records [<paramref name="first"/>, <paramref name="first"/> + <paramref name="count"/>) of a
    /// blob; a missing blob is an error unless <paramref name="missingMeansNone"/>.</summary>
    public static async Task<RecordReader<T>> OpenAsync(
        BlobClient blob,
        long first,
        long count,
        int recordSize,
        RecordDecoder<T> decode,
        CancellationToken cancellationToken,
        bool missingMeansNone = false
    )
    {
        if (count <= 0)
        {
            return new RecordReader<T>(blob.Name, null, 0, recordSize, decode, cancellationToken);
        }

        try
        {
            var download = await blob.DownloadStreamingAsync(
                    new BlobDownloadOptions { Range = new HttpRange(first * recordSize, count * recordSize) },
                    cancellationToken
                )
                .ConfigureAwait(false);
            return new RecordReader<T>(blob.Name, download.Value.Content, count, recordSize, decode, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404 && missingMeansNone)
        {
            return new RecordReader<T>(blob.Name, null, 0, recordSize, decode, cancellationToken);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> MoveNextAsync()
    {
        if (_remaining == 0)
        {
            return ValueTask.FromResult(false);
        }

        if (_held - _offset < _size)
        {
            return FillThenMoveAsync();
        }

        // The usual case: the next record is in the buffer already, and no task is allocated.
        Current = _decode(_buffer.AsSpan(_offset, _size));
        _offset += _size;
        _remaining--;
        return ValueTask.FromResult(true);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_stream is not null)
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async ValueTask<bool> FillThenMoveAsync()
    {
        var left = _held - _offset;
        _buffer.AsSpan(_offset, left).CopyTo(_buffer);
        (_held, _offset) = (left, 0);
        while (_held < _size)
        {
            var got = await _stream!.ReadAsync(_buffer.AsMemory(_held), _cancellationToken).ConfigureAwait(false);
            if (got == 0)
            {
                throw new InvalidDataException($"'{_name}' ended with {_remaining} of the records asked for unread");
            }

            _held += got;
        }

        return await MoveNextAsync().ConfigureAwait(false);
    }
}
