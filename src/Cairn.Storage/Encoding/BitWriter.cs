using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Cairn.Storage.Encoding;

/// <summary>
/// Writes bit fields most significant bit first into a span: the first bit written is bit 7 of
/// byte 0. Bits gather in a 64-bit accumulator that is stored big-endian when full, so the span
/// must be sized to whole 8-byte words (<see cref="BufferLength"/>).
/// </summary>
internal ref struct BitWriter
{
    private readonly Span<byte> _destination;
    private int _flushed;
    private ulong _accumulator;
    private int _pending;

    public BitWriter(Span<byte> destination)
    {
        _destination = destination;
    }

    /// <summary>Span length needed to write <paramref name="bits"/> bits.</summary>
    public static int BufferLength(long bits) => checked((int)((bits + 63) / 64 * 8));

    /// <summary>Bytes holding the bits written so far; the last one is zero-padded.</summary>
    public readonly int Length => _flushed + ((_pending + 7) >> 3);

    /// <summary>Writes the low <paramref name="count"/> (0..64) bits of <paramref name="value"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(ulong value, int count)
    {
        if (count == 0)
            return;
        if (count < 64)
            value &= (1UL << count) - 1;
        int free = 64 - _pending;
        if (count < free)
        {
            _accumulator |= value << (free - count);
            _pending += count;
            return;
        }
        int spill = count - free;
        _accumulator |= value >> spill;
        BinaryPrimitives.WriteUInt64BigEndian(_destination.Slice(_flushed, 8), _accumulator);
        _flushed += 8;
        _accumulator = spill == 0 ? 0 : value << (64 - spill);
        _pending = spill;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteBit(bool bit) => Write(bit ? 1UL : 0UL, 1);

    /// <summary>Stores the partial accumulator; returns <see cref="Length"/>.</summary>
    public int Finish()
    {
        if (_pending > 0)
            BinaryPrimitives.WriteUInt64BigEndian(_destination.Slice(_flushed, 8), _accumulator);
        return Length;
    }
}
