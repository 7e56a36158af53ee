using System.Buffers.Binary;
using System.Diagnostics;

namespace Cairn.Storage.LineProtocol;

// The series key: tags kept in line order while scanning, then sorted by their escaped keys, as
// InfluxDB's scanKey does, so that one series has one key whatever order the client wrote its tags in.
public sealed partial class LineProtocolParser
{
    private const int InsertionSortLimit = 32;

    private void AddTag(ReadOnlySpan<byte> line, int keyStart, int keyLength, int valueLength)
    {
        if (_tagCount == _tags.Length)
        {
            Array.Resize(ref _tags, _tags.Length * 2);
        }

        ref TagSlot tag = ref _tags[_tagCount++];
        tag.RawKeyStart = keyStart;
        tag.RawKeyLength = keyLength;
        tag.RawValueLength = valueLength;
        tag.KeyPrefix = KeyPrefix(line, keyStart, keyLength);
        tag.Key = new Slice(keyStart, keyLength);
        tag.Value = new Slice(keyStart + keyLength + 1, valueLength);
    }

    /// <summary>
    /// Sorts the tags by escaped key, byte-wise (bytes.Compare in InfluxDB); false if two keys are equal.
    /// When the order changed, the series key is rebuilt in <see cref="_keyBuffer"/> once
    /// <see cref="_keyLength"/> is known (<see cref="BuildSortedSeriesKey"/>).
    /// </summary>
    private bool SortTags(ReadOnlySpan<byte> line, out bool reordered)
    {
        reordered = false;
        Span<TagSlot> tags = _tags.AsSpan(0, _tagCount);
        for (int i = 1; i < tags.Length; i++)
        {
            int order = CompareKeys(line, in tags[i - 1], in tags[i]);
            if (order == 0)
            {
                return false;
            }

            if (order > 0)
            {
                reordered = true;
                break;
            }
        }

        if (!reordered)
        {
            return true;
        }

        if (tags.Length <= InsertionSortLimit)
        {
            InsertionSort(line, tags);
        }
        else
        {
            MergeSort(line, tags);
        }

        for (int i = 1; i < tags.Length; i++)
        {
            if (CompareKeys(line, in tags[i - 1], in tags[i]) == 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Writes measurement and sorted <c>,key=value</c> pairs, all still escaped, to the key buffer.</summary>
    private void BuildSortedSeriesKey(ReadOnlySpan<byte> line)
    {
        if (_keyBuffer.Length < _keyLength)
        {
            _keyBuffer = new byte[Math.Max(_keyLength, _keyBuffer.Length * 2)];
        }

        Span<byte> key = _keyBuffer;
        line[.._measurementEnd].CopyTo(key);
        int at = _measurementEnd;
        for (int i = 0; i < _tagCount; i++)
        {
            ref readonly TagSlot tag = ref _tags[i];
            key[at++] = (byte)',';
            line.Slice(tag.RawKeyStart, tag.RawPairLength).CopyTo(key[at..]);
            at += tag.RawPairLength;
        }

        Debug.Assert(at == _keyLength, "a sorted key has the length of the key as written");
        _keyInBuffer = true;
    }

    private static ulong KeyPrefix(ReadOnlySpan<byte> line, int start, int length)
    {
        if (line.Length - start >= sizeof(ulong))
        {
            ulong word = BinaryPrimitives.ReadUInt64BigEndian(line[start..]);
            return length >= sizeof(ulong) ? word : word & ~(ulong.MaxValue >> (8 * length));
        }

        ulong prefix = 0;
        for (int i = 0; i < length; i++)
        {
            prefix |= (ulong)line[start + i] << (56 - 8 * i);
        }

        return prefix;
    }

    // Zero padding cannot misorder: where two prefixes differ, either both bytes are real, or the shorter
    // key has ended against a non-zero byte of the longer one, which bytes.Compare also orders first.
    private static int CompareKeys(ReadOnlySpan<byte> line, in TagSlot left, in TagSlot right)
    {
        if (left.KeyPrefix != right.KeyPrefix)
        {
            return left.KeyPrefix < right.KeyPrefix ? -1 : 1;
        }

        return line.Slice(left.RawKeyStart, left.RawKeyLength)
            .SequenceCompareTo(line.Slice(right.RawKeyStart, right.RawKeyLength));
    }

    private static void InsertionSort(ReadOnlySpan<byte> line, Span<TagSlot> tags)
    {
        for (int i = 1; i < tags.Length; i++)
        {
            TagSlot moving = tags[i];
            int j = i - 1;
            while (j >= 0 && CompareKeys(line, in tags[j], in moving) > 0)
            {
                tags[j + 1] = tags[j];
                j--;
            }

            tags[j + 1] = moving;
        }
    }

    // Bottom-up merge sort for lines with many tags: InfluxDB's insertion sort is quadratic, and a
    // 64 KiB key can hold thousands of tags.
    private void MergeSort(ReadOnlySpan<byte> line, Span<TagSlot> tags)
    {
        if (_tagsMergeBuffer.Length < tags.Length)
        {
            _tagsMergeBuffer = new TagSlot[_tags.Length];
        }

        Span<TagSlot> from = tags;
        Span<TagSlot> to = _tagsMergeBuffer.AsSpan(0, tags.Length);
        bool inBuffer = false;
        for (int width = 1; width < tags.Length; width *= 2)
        {
            for (int low = 0; low < tags.Length; low += 2 * width)
            {
                int middle = Math.Min(low + width, tags.Length);
                int high = Math.Min(low + 2 * width, tags.Length);
                int left = low;
                int right = middle;
                int at = low;
                while (left < middle && right < high)
                {
                    to[at++] = CompareKeys(line, in from[right], in from[left]) < 0 ? from[right++] : from[left++];
                }

                while (left < middle)
                {
                    to[at++] = from[left++];
                }

                while (right < high)
                {
                    to[at++] = from[right++];
                }
            }

            Span<TagSlot> swap = from;
            from = to;
            to = swap;
            inBuffer = !inBuffer;
        }

        if (inBuffer)
        {
            from.CopyTo(tags);
        }
    }
}
