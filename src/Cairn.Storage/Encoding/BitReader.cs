using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Cairn.Storage.Encoding;

/// <summary>
/// Reads bit fields most significant bit first, the mirror of <see cref="BitWriter"/>. Reading past
/// the end yields zero bits and sets <see cref="Overrun"/> instead of throwing, so a decode loop
/// bounded by its count stays branch-light and checks once at the end.
/// </summary>
internal ref struct BitReader
{
    private readonly ReadOnlySpan<byte> _source;
    // Next byte to load; may run past _source.Length while virtual zero bytes are fed in.
    private int _next;
    // Unread bits, left-aligned: the next bit is bit 63.
    private ulong _buffer;
    private int _buffered;

    public BitReader(ReadOnlySpan<byte> source)
    {
        _source = source;
    }

    /// <summary>Bits consumed so far, including any zeros read past the end.</summary>
    public readonly long Consumed => (long)_next * 8 - _buffered;

    /// <summary>More bits were read than the source holds.</summary>
    public readonly bool Overrun => Consumed > (long)_source.Length * 8;

    /// <summary>Reads <paramref name="count"/> (0..56) bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Read(int count)
    {
        if (_buffered < count)
            Refill();
        ulong value = count == 0 ? 0 : _buffer >> (64 - count);
        _buffer <<= count;
        _buffered -= count;
        return value;
    }

    /// <summary>Reads <paramref name="count"/> (0..64) bits.</summary>
    public ulong ReadLong(int count)
    {
        if (count <= 56)
            return Read(count);
        ulong high = Read(count - 32);
        return (high << 32) | Read(32);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool ReadBit() => Read(1) != 0;

    /// <summary>Returns the next <paramref name="count"/> (1..56) bits without consuming them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Peek(int count)
    {
        if (_buffered < count)
            Refill();
        return _buffer >> (64 - count);
    }

    /// <summary>Consumes <paramref name="count"/> bits already returned by <see cref="Peek"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Skip(int count)
    {
        _buffer <<= count;
        _buffered -= count;
    }

    /// <summary>
    /// Checks the stream ended where the source does: no overrun, no whole byte left unread, and the
    /// last byte's unused bits zero.
    /// </summary>
    public readonly CorruptBlockReason Finish()
    {
        if (Overrun)
            return CorruptBlockReason.Truncated;
        long consumed = Consumed;
        if (_source.Length != (consumed + 7) >> 3)
            return CorruptBlockReason.TrailingBytes;
        int padding = (int)(-consumed & 7);
        if (padding != 0 && (_source[^1] & ((1 << padding) - 1)) != 0)
            return CorruptBlockReason.TrailingBytes;
        return CorruptBlockReason.None;
    }

    /// <summary>Tops the buffer up to at least 57 bits.</summary>
    private void Refill()
    {
        if (_next <= _source.Length - 8)
        {
            // Load 8 bytes and keep the whole bytes that fit. Bits past _buffered may already be set
            // from an earlier load: they are the same stream bits, so OR-ing them again is harmless.
            ulong word = BinaryPrimitives.ReadUInt64BigEndian(_source.Slice(_next, 8));
            _buffer |= word >> _buffered;
            int bytes = (64 - _buffered) >> 3;
            _next += bytes;
            _buffered += bytes * 8;
            return;
        }
        while (_buffered <= 56)
        {
            ulong b = (uint)_next < (uint)_source.Length ? _source[_next] : 0UL;
            _buffer |= b << (56 - _buffered);
            _next++;
            _buffered += 8;
        }
    }
}
