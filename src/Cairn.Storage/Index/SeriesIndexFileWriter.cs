using Cairn.Common.Hashing;
using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Cairn.Storage.Index;

/// <summary>Writes an <see cref="IndexSnapshot"/> as a <c>series.idx</c> (layout above <see cref="SeriesIndexFile"/>).</summary>
internal static class SeriesIndexFileWriter
{
    /// <summary>Writes <paramref name="snapshot"/> to <paramref name="path"/> and fsyncs it.</summary>
    public static void Write(string path, IndexSnapshot snapshot)
    {
        var keys = new Section();
        var idTable = new Section();
        var strings = new Section();
        var postings = new Section();
        var measurements = new Section();
        var tagKeys = new Section();
        var tagValues = new Section();
        var fields = new Section();

        // Keys in id order, and the id table pointing at them.
        var offsets = new uint[Math.Max(0, (int)snapshot.NextId - 1)];
        offsets.AsSpan().Fill(SeriesIndexFile.Absent);
        foreach (var (id, key) in snapshot.Series)
        {
            if (key.Length > ushort.MaxValue) throw new InvalidOperationException($"series key of {key.Length} bytes is longer than 65535");
            offsets[id - 1] = checked((uint)keys.Length);
            keys.U16((ushort)key.Length);
            keys.Bytes(key);
        }
        idTable.Bytes(MemoryMarshal.AsBytes(offsets.AsSpan()));

        uint slots = (uint)(snapshot.Series.Count + snapshot.Series.Count / 3 + 1);
        var hash = new uint[2 * slots];
        foreach (var (id, key) in snapshot.Series)
        {
            uint h = Crc32C.Compute(key);
            uint slot = SeriesIndexFile.SlotOf(h, slots);
            while (hash[2 * slot + 1] != 0)
            {
                if (++slot == slots) slot = 0;
            }
            hash[2 * slot] = h;
            hash[2 * slot + 1] = id;
        }
        var hashSection = new Section();
        hashSection.Bytes(MemoryMarshal.AsBytes(hash.AsSpan()));

        var names = snapshot.Measurements.Keys.ToArray();
        Array.Sort(names, ByteKeyComparer.Instance);
        foreach (var name in names)
        {
            var m = snapshot.Measurements[name];
            measurements.String(strings, name);
            measurements.Postings(postings, m.SeriesIds);

            var keyNames = m.TagKeys.Keys.ToArray();
            Array.Sort(keyNames, ByteKeyComparer.Instance);
            measurements.U32(checked((uint)(tagKeys.Length / 16)));
            measurements.U32((uint)keyNames.Length);
            var fieldNames = m.Fields.Keys.ToArray();
            Array.Sort(fieldNames, ByteKeyComparer.Instance);
            measurements.U32(checked((uint)(fields.Length / 8)));
            measurements.U32((uint)fieldNames.Length);

            foreach (var keyName in keyNames)
            {
                var tagKey = m.TagKeys[keyName];
                var valueNames = tagKey.Values.Keys.ToArray();
                Array.Sort(valueNames, ByteKeyComparer.Instance);
                tagKeys.String(strings, keyName);
                tagKeys.U32(checked((uint)(tagValues.Length / 16)));
                tagKeys.U32((uint)valueNames.Length);
                foreach (var valueName in valueNames)
                {
                    tagValues.String(strings, valueName);
                    tagValues.Postings(postings, tagKey.Values[valueName]);
                }
            }

            foreach (var fieldName in fieldNames)
            {
                if (fieldName.Length > ushort.MaxValue) throw new InvalidOperationException("field key longer than 65535 bytes");
                fields.U32(checked((uint)strings.Length));
                fields.U16((ushort)fieldName.Length);
                fields.Byte((byte)m.Fields[fieldName]);
                fields.Byte(0);
                strings.Bytes(fieldName);
            }
        }

        Section[] order = [keys, idTable, hashSection, measurements, tagKeys, tagValues, fields, postings, strings];
        var sectionOffsets = new uint[order.Length];
        long at = SeriesIndexFile.HeaderSize;
        uint bodyCrc = 0;
        for (int i = 0; i < order.Length; i++)
        {
            order[i].Align();
            sectionOffsets[i] = (uint)at;
            at += order[i].Length;
            bodyCrc = Crc32C.Append(bodyCrc, order[i].Written);
        }
        if (at > uint.MaxValue) throw new InvalidOperationException($"series index of {at} bytes is larger than the format's 4 GiB");

        Span<byte> header = stackalloc byte[SeriesIndexFile.HeaderSize];
        header.Clear();
        SeriesIndexFile.Magic.CopyTo(header);
        header[4] = SeriesIndexFile.Version;
        BinaryPrimitives.WriteUInt64LittleEndian(header[8..], snapshot.Generation);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], snapshot.NextId);
        BinaryPrimitives.WriteUInt32LittleEndian(header[20..], (uint)snapshot.Series.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(header[24..], (uint)names.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[28..], slots);
        for (int i = 0; i < order.Length; i++) BinaryPrimitives.WriteUInt32LittleEndian(header[(32 + 4 * i)..], sectionOffsets[i]);
        BinaryPrimitives.WriteUInt32LittleEndian(header[68..], (uint)at);
        BinaryPrimitives.WriteUInt32LittleEndian(header[72..], bodyCrc);
        BinaryPrimitives.WriteUInt32LittleEndian(header[76..], Crc32C.Compute(header[..76]));

        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        file.Write(header);
        foreach (var section in order) file.Write(section.Written);
        file.Flush(flushToDisk: true);
    }

    /// <summary>A growable little-endian byte buffer for one section.</summary>
    private sealed class Section
    {
        private readonly ArrayBufferWriter<byte> _buffer = new(256);

        public int Length => _buffer.WrittenCount;

        public ReadOnlySpan<byte> Written => _buffer.WrittenSpan;

        public void Bytes(ReadOnlySpan<byte> bytes) => _buffer.Write(bytes);

        public void Byte(byte value) => _buffer.Write([value]);

        public void U16(ushort value)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(_buffer.GetSpan(2), value);
            _buffer.Advance(2);
        }

        public void U32(uint value)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(_buffer.GetSpan(4), value);
            _buffer.Advance(4);
        }

        /// <summary>Appends <paramref name="bytes"/> to <paramref name="strings"/> and writes its offset and length here.</summary>
        public void String(Section strings, byte[] bytes)
        {
            U32(checked((uint)strings.Length));
            U32((uint)bytes.Length);
            strings.Bytes(bytes);
        }

        /// <summary>Appends the sorted <paramref name="ids"/> to <paramref name="postings"/> and writes their offset and count here.</summary>
        public void Postings(Section postings, List<uint> ids)
        {
            var span = CollectionsMarshal.AsSpan(ids);
            span.Sort();
            U32(checked((uint)postings.Length));
            U32((uint)span.Length);
            postings.Bytes(MemoryMarshal.AsBytes(span));
        }

        public void Align()
        {
            while ((Length & 3) != 0) Byte(0);
        }
    }
}
