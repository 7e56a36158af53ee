using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Cairn.Common.Hashing;

/// <summary>
/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78, initial value and final xor 0xFFFFFFFF),
/// the checksum of iSCSI, ext4 and LevelDB: "123456789" gives 0xE3069283. Uses the SSE4.2 or
/// ARMv8 CRC instructions where the CPU has them, a slicing-by-8 table elsewhere.
/// </summary>
public static class Crc32C
{
    private const uint ReflectedPolynomial = 0x82F63B78;

    // Eight 256-entry tables back to back: table k gives the CRC of a byte followed by k zero bytes.
    private static readonly uint[] Tables = BuildTables();

    /// <summary>True when <see cref="Compute"/> runs on CRC instructions rather than the table.</summary>
    public static bool IsHardwareAccelerated => Sse42.IsSupported || Crc32.IsSupported;

    /// <summary>The CRC-32C of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);

    /// <summary>
    /// Continues <paramref name="crc"/> (the CRC of some earlier bytes, 0 for none) over
    /// <paramref name="data"/>: <c>Append(Compute(a), b) == Compute(a ++ b)</c>.
    /// </summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data) => ~Update(~crc, data);

    /// <summary>The table-driven path, whatever the CPU; tests compare it with the hardware path.</summary>
    internal static uint ComputeSoftware(ReadOnlySpan<byte> data) => ~UpdateSoftware(~0u, data);

    private static uint Update(uint state, ReadOnlySpan<byte> data)
    {
        if (Sse42.X64.IsSupported) return UpdateSse42X64(state, data);
        if (Sse42.IsSupported) return UpdateSse42(state, data);
        if (Crc32.Arm64.IsSupported) return UpdateArm64(state, data);
        if (Crc32.IsSupported) return UpdateArm(state, data);
        return UpdateSoftware(state, data);
    }

    private static uint UpdateSse42X64(uint state, ReadOnlySpan<byte> data)
    {
        ref byte start = ref MemoryMarshal.GetReference(data);
        nuint length = (nuint)data.Length;
        nuint i = 0;
        ulong wide = state;
        for (; length - i >= 8; i += 8)
            wide = Sse42.X64.Crc32(wide, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, i)));
        uint crc = (uint)wide;
        if (length - i >= 4)
        {
            crc = Sse42.Crc32(crc, Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref start, i)));
            i += 4;
        }
        for (; i < length; i++) crc = Sse42.Crc32(crc, Unsafe.Add(ref start, i));
        return crc;
    }

    private static uint UpdateSse42(uint state, ReadOnlySpan<byte> data)
    {
        ref byte start = ref MemoryMarshal.GetReference(data);
        nuint length = (nuint)data.Length;
        nuint i = 0;
        uint crc = state;
        for (; length - i >= 4; i += 4)
            crc = Sse42.Crc32(crc, Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref start, i)));
        for (; i < length; i++) crc = Sse42.Crc32(crc, Unsafe.Add(ref start, i));
        return crc;
    }

    private static uint UpdateArm64(uint state, ReadOnlySpan<byte> data)
    {
        ref byte start = ref MemoryMarshal.GetReference(data);
        nuint length = (nuint)data.Length;
        nuint i = 0;
        uint crc = state;
        for (; length - i >= 8; i += 8)
            crc = Crc32.Arm64.ComputeCrc32C(crc, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, i)));
        for (; i < length; i++) crc = Crc32.ComputeCrc32C(crc, Unsafe.Add(ref start, i));
        return crc;
    }

    private static uint UpdateArm(uint state, ReadOnlySpan<byte> data)
    {
        ref byte start = ref MemoryMarshal.GetReference(data);
        nuint length = (nuint)data.Length;
        nuint i = 0;
        uint crc = state;
        for (; length - i >= 4; i += 4)
            crc = Crc32.ComputeCrc32C(crc, Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref start, i)));
        for (; i < length; i++) crc = Crc32.ComputeCrc32C(crc, Unsafe.Add(ref start, i));
        return crc;
    }

    private static uint UpdateSoftware(uint state, ReadOnlySpan<byte> data)
    {
        ReadOnlySpan<uint> t = Tables;
        uint crc = state;
        while (data.Length >= 8)
        {
            uint low = BinaryPrimitives.ReadUInt32LittleEndian(data) ^ crc;
            uint high = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
            crc = t[7 * 256 + (int)(low & 0xFF)] ^ t[6 * 256 + (int)((low >> 8) & 0xFF)]
                ^ t[5 * 256 + (int)((low >> 16) & 0xFF)] ^ t[4 * 256 + (int)(low >> 24)]
                ^ t[3 * 256 + (int)(high & 0xFF)] ^ t[2 * 256 + (int)((high >> 8) & 0xFF)]
                ^ t[1 * 256 + (int)((high >> 16) & 0xFF)] ^ t[(int)(high >> 24)];
            data = data[8..];
        }
        foreach (byte b in data) crc = t[(int)((crc ^ b) & 0xFF)] ^ (crc >> 8);
        return crc;
    }

    private static uint[] BuildTables()
    {
        var tables = new uint[8 * 256];
        for (uint i = 0; i < 256; i++)
        {
            uint crc = i;
            for (int bit = 0; bit < 8; bit++) crc = (crc & 1) != 0 ? (crc >> 1) ^ ReflectedPolynomial : crc >> 1;
            tables[i] = crc;
        }
        for (int k = 1; k < 8; k++)
        {
            for (int i = 0; i < 256; i++)
            {
                uint previous = tables[(k - 1) * 256 + i];
                tables[k * 256 + i] = (previous >> 8) ^ tables[(int)(previous & 0xFF)];
            }
        }
        return tables;
    }
}
