using System.Collections;

namespace Pipeline.Domain.Hashing;

/// <summary>
/// A set of 128-bit fingerprints in one open-addressing array with linear probing. Fingerprints are
/// already uniformly random, so their own bits choose the slot: no hashing, no per-entry bookkeeping,
/// one cache line per lookup. Once a set outgrows the CPU caches every add is a cache miss, so adds
/// are buffered and applied in groups: a first pass touches each one's slot so that the misses overlap
/// instead of following one another, then a second pass inserts into lines already in cache.
/// </summary>
public sealed class FingerprintSet : IReadOnlyCollection<UInt128>
{
    private const int MinimumCapacity = 16;

    private const int PendingBatch = 64;

    private readonly UInt128[] _pending = new UInt128[PendingBatch];
    private UInt128[] _slots;
    private bool _hasZero;
    private int _occupied;
    private int _pendingCount;

    /// <summary>Creates an empty set.</summary>
    public FingerprintSet(int capacity = 0)
    {
        _slots = new UInt128[CapacityFor(capacity)];
    }

    /// <inheritdoc />
    public int Count
    {
        get
        {
            Flush();
            return _occupied + (_hasZero ? 1 : 0);
        }
    }

    /// <summary>Adds a fingerprint (applied in groups; every read sees it).</summary>
    public void Add(UInt128 fingerprint)
    {
        _pending[_pendingCount++] = fingerprint;
        if (_pendingCount == PendingBatch)
        {
            Flush();
        }
    }

    /// <summary>Applies buffered adds.</summary>
    private void Flush()
    {
        if (_pendingCount == 0)
        {
            return;
        }

        if ((_occupied + _pendingCount) * 2 > _slots.Length)
        {
            Grow();
        }

        // Touch every slot first: independent loads whose cache misses the CPU overlaps.
        var mask = (ulong)(_slots.Length - 1);
        var touched = UInt128.Zero;
        for (var i = 0; i < _pendingCount; i++)
        {
            touched ^= _slots[(int)((ulong)(_pending[i] >> 64) & mask)];
        }

        GC.KeepAlive(touched);
        for (var i = 0; i < _pendingCount; i++)
        {
            AddNow(_pending[i]);
        }

        _pendingCount = 0;
    }

    private bool AddNow(UInt128 fingerprint)
    {
        if (fingerprint == UInt128.Zero)
        {
            // Zero marks an empty slot, so it is tracked apart.
            var added = !_hasZero;
            _hasZero = true;
            return added;
        }

        return Insert(_slots, fingerprint);
    }

    /// <summary>Whether the set holds <paramref name="fingerprint"/>.</summary>
    public bool Contains(UInt128 fingerprint)
    {
        Flush();
        if (fingerprint == UInt128.Zero)
        {
            return _hasZero;
        }

        var mask = _slots.Length - 1;
        for (var slot = (int)((ulong)(fingerprint >> 64) & (ulong)mask); ; slot = (slot + 1) & mask)
        {
            if (_slots[slot] == fingerprint)
            {
                return true;
            }

            if (_slots[slot] == UInt128.Zero)
            {
                return false;
            }
        }
    }

    /// <summary>Adds every member of <paramref name="other"/>.</summary>
    public void UnionWith(FingerprintSet other)
    {
        ArgumentNullException.ThrowIfNull(other);
        foreach (var fingerprint in other)
        {
            Add(fingerprint);
        }
    }

    /// <inheritdoc />
    public IEnumerator<UInt128> GetEnumerator()
    {
        Flush();
        if (_hasZero)
        {
            yield return UInt128.Zero;
        }

        foreach (var fingerprint in _slots)
        {
            if (fingerprint != UInt128.Zero)
            {
                yield return fingerprint;
            }
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private bool Insert(UInt128[] slots, UInt128 fingerprint)
    {
        var mask = slots.Length - 1;
        for (var slot = (int)((ulong)(fingerprint >> 64) & (ulong)mask); ; slot = (slot + 1) & mask)
        {
            if (slots[slot] == fingerprint)
            {
                return false;
            }

            if (slots[slot] == UInt128.Zero)
            {
                slots[slot] = fingerprint;
                _occupied++;
                return true;
            }
        }
    }

    private void Grow()
    {
        var old = _slots;
        _slots = new UInt128[CapacityFor(_occupied + _pendingCount)];
        _occupied = 0;
        foreach (var fingerprint in old)
        {
            if (fingerprint != UInt128.Zero)
            {
                Insert(_slots, fingerprint);
            }
        }
    }

    private static int CapacityFor(int count)
    {
        var capacity = MinimumCapacity;
        while (capacity < count * 2)
        {
            capacity *= 2;
        }

        return capacity;
    }
}
