using Cairn.Common.Hashing;
using Microsoft.Win32.SafeHandles;
using System.Buffers.Binary;

namespace Cairn.Cluster.HintedHandoff;

/// <summary>Where replay stands: every record before <see cref="Offset"/> in segment <see cref="SegmentId"/>, and every earlier segment, is done.</summary>
internal readonly record struct QueuePosition(ulong SegmentId, long Offset);

/// <summary>
/// The queue's read position, rewritten in place after each delivered or dropped entry.
/// </summary>
/// <remarks>
/// Two 32-byte slots written alternately, so a write torn by a crash costs at most the latest position:
/// <code>
/// offset size  meaning (per slot; slot k starts at 32k, k = sequence mod 2)
///      0    8  sequence (u64 LE), the higher valid slot wins
///      8    8  segment id (u64 LE)
///     16    8  offset in that segment (i64 LE)
///     24    4  CRC-32C of bytes [0,24)
///     28    4  zero
/// </code>
/// The file is held open exclusively, which also keeps a second process off the queue.
/// Each update is a 32-byte <c>pwrite</c> with no fsync: a killed process loses nothing, a power cut may bring
/// back an older position and so a few entries are delivered twice (point writes are idempotent).
/// </remarks>
internal sealed class QueuePositionFile : IDisposable
{
    private const int SlotSize = 32;

    private readonly SafeFileHandle _handle;
    private ulong _sequence;

    private QueuePositionFile(SafeFileHandle handle, ulong sequence)
    {
        _handle = handle;
        _sequence = sequence;
    }

    /// <summary>Opens (or creates) the file; <paramref name="position"/> is null when it holds no valid slot.</summary>
    public static QueuePositionFile Open(string path, out QueuePosition? position, out bool damaged)
    {
        SafeFileHandle handle;
        try
        {
            // Exclusive (flock on Unix): two processes on one queue would interleave records and positions.
            handle = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new IOException($"hinted handoff queue {Path.GetDirectoryName(path)} is already open ({path} is locked): {e.Message}", e);
        }
        try
        {
            Span<byte> slots = stackalloc byte[2 * SlotSize];
            long length = RandomAccess.GetLength(handle);
            int read = ReadFully(handle, slots);
            position = null;
            ulong best = 0;
            for (int k = 0; k < 2; k++)
            {
                if (read < (k + 1) * SlotSize) break;
                var slot = slots.Slice(k * SlotSize, SlotSize);
                if (Crc32C.Compute(slot[..24]) != BinaryPrimitives.ReadUInt32LittleEndian(slot[24..])) continue;
                ulong sequence = BinaryPrimitives.ReadUInt64LittleEndian(slot);
                if (position is not null && sequence <= best) continue;
                best = sequence;
                position = new QueuePosition(BinaryPrimitives.ReadUInt64LittleEndian(slot[8..]), BinaryPrimitives.ReadInt64LittleEndian(slot[16..]));
            }
            damaged = length > 0 && position is null;
            return new QueuePositionFile(handle, best);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    public void Write(QueuePosition position)
    {
        ulong sequence = ++_sequence;
        Span<byte> slot = stackalloc byte[SlotSize];
        BinaryPrimitives.WriteUInt64LittleEndian(slot, sequence);
        BinaryPrimitives.WriteUInt64LittleEndian(slot[8..], position.SegmentId);
        BinaryPrimitives.WriteInt64LittleEndian(slot[16..], position.Offset);
        BinaryPrimitives.WriteUInt32LittleEndian(slot[24..], Crc32C.Compute(slot[..24]));
        slot[28..].Clear();
        RandomAccess.Write(_handle, slot, (long)(sequence & 1) * SlotSize);
    }

    public void Flush() => RandomAccess.FlushToDisk(_handle);

    public void Dispose() => _handle.Dispose();

    private static int ReadFully(SafeFileHandle handle, Span<byte> destination)
    {
        int total = 0;
        while (total < destination.Length)
        {
            int n = RandomAccess.Read(handle, destination[total..], total);
            if (n == 0) break;
            total += n;
        }
        return total;
    }
}
