using System.Buffers.Binary;
using System.Text;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Pipeline.Domain.Aggregations;
using Pipeline.Domain.Views;

namespace Pipeline.Application.Batch;

/// <summary>
/// Reads a partials blob (<see cref="PartialsFile"/>) one entry at a time, in its key order, through one streaming
/// download and a small buffer: memory is the current entry, not the file.
/// </summary>
internal sealed class PartialsReader : IAsyncDisposable
{
    private const int BufferBytes = 1 << 16;

    // Keys are short; a longer length is a damaged file, not a key.
    private const int LongestKey = 1 << 16;

    private readonly string _name;
    private readonly Stream _stream;
    private readonly byte[] _small = new byte[PartialsFile.CountBytes];
    private byte[] _block = new byte[256];
    private bool _counted;
    private bool _started;

    private PartialsReader(string name, Stream stream)
    {
        (_name, _stream) = (name, stream);
        Key = string.Empty;
        Partial = null!;
    }

    /// <summary>The current entry's key text.</summary>
    public string Key { get; private set; }

    /// <summary>The current entry's partial.</summary>
    public ViewPartial Partial { get; private set; }

    /// <summary>Bytes of the current entry's state.</summary>
    public int StateBytes { get; private set; }

    /// <summary>Opens a blob for reading from its first entry.</summary>
    public static async Task<PartialsReader> OpenAsync(BlobClient blob, CancellationToken cancellationToken)
    {
        var download = await blob.DownloadStreamingAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        return new PartialsReader(blob.Name, new BufferedStream(download.Value.Content, BufferBytes));
    }

    /// <summary>The first key of a blob (null: it has none), read from its first bytes only.</summary>
    public static async Task<string?> FirstKeyAsync(BlobClient blob, CancellationToken cancellationToken)
    {
        Response<BlobDownloadStreamingResult> download;
        try
        {
            download = await blob.DownloadStreamingAsync(
                    new BlobDownloadOptions { Range = new HttpRange(0, 8 + LongestKey) },
                    cancellationToken
                )
                .ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 416)
        {
            // An empty blob has no first byte to range over (files of the earlier format with no entry).
            return null;
        }

        await using var reader = new PartialsReader(blob.Name, download.Value.Content);
        return await reader.ReadKeyAsync(cancellationToken).ConfigureAwait(false) ? reader.Key : null;
    }

    /// <summary>Moves to the next entry; false at the end of the file.</summary>
    public async ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken)
    {
        if (!await ReadKeyAsync(cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        var countBytes = _counted ? PartialsFile.CountBytes : PartialsFile.EarlierCountBytes;
        await ReadExactlyAsync(_small.AsMemory(0, countBytes), cancellationToken).ConfigureAwait(false);
        var events = BinaryPrimitives.ReadInt64LittleEndian(_small);
        var timed = BinaryPrimitives.ReadInt64LittleEndian(_small.AsSpan(8));
        var skipped = _counted ? BinaryPrimitives.ReadInt64LittleEndian(_small.AsSpan(16)) : 0;
        StateBytes = await ReadBlockAsync(int.MaxValue, cancellationToken).ConfigureAwait(false);
        Partial = new ViewPartial(StateCodec.Deserialize(_block.AsSpan(0, StateBytes)), events, timed, skipped);
        return true;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _stream.DisposeAsync();

    private async ValueTask<bool> ReadKeyAsync(CancellationToken cancellationToken)
    {
        var got = await _stream
            .ReadAtLeastAsync(_small.AsMemory(0, 4), 4, false, cancellationToken)
            .ConfigureAwait(false);
        if (!_started && got == 4 && _small.AsSpan(0, 4).SequenceEqual(PartialsFile.FormatMark))
        {
            _counted = true;
            got = await _stream
                .ReadAtLeastAsync(_small.AsMemory(0, 4), 4, false, cancellationToken)
                .ConfigureAwait(false);
        }

        _started = true;
        if (got == 0)
        {
            return false;
        }

        if (got < 4)
        {
            throw Truncated();
        }

        var length = await ReadBlockAsync(LongestKey, cancellationToken, BinaryPrimitives.ReadInt32LittleEndian(_small))
            .ConfigureAwait(false);
        Key = Encoding.UTF8.GetString(_block, 0, length);
        return true;
    }

    // A length-prefixed block into _block: its length (read here unless given).
    private async ValueTask<int> ReadBlockAsync(int longest, CancellationToken cancellationToken, int? known = null)
    {
        if (known is not { } length)
        {
            await ReadExactlyAsync(_small.AsMemory(0, 4), cancellationToken).ConfigureAwait(false);
            length = BinaryPrimitives.ReadInt32LittleEndian(_small);
        }

        if (length < 0 || length > longest)
        {
            throw new InvalidDataException($"partials '{_name}' are damaged (a block of {length} bytes)");
        }

        if (_block.Length < length)
        {
            _block = new byte[Math.Max(length, _block.Length * 2)];
        }

        await ReadExactlyAsync(_block.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
        return length;
    }

    private async ValueTask ReadExactlyAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        if (
            await _stream
                .ReadAtLeastAsync(destination, destination.Length, false, cancellationToken)
                .ConfigureAwait(false) < destination.Length
        )
        {
            throw Truncated();
        }
    }

    private InvalidDataException Truncated() => new($"partials '{_name}' are truncated");
}
