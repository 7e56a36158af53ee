using System.Buffers.Binary;
using System.Numerics;

namespace Cairn.Meta.Store;

/// <summary>
/// CRC-32C (Castagnoli) over the meta log records and snapshot. BitOperations.Crc32C uses the CPU's
/// CRC instruction where there is one. Meta does not reference Storage, so it keeps its own.
/// </summary>
internal static class Crc32C
{
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        uint crc = ~0u;
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }
        foreach (byte b in data) crc = BitOperations.Crc32C(crc, b);
        return ~crc;
    }
}
