using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Cairn.Query.Results;

/// <summary>
/// <c>Accept: application/x-msgpack</c>: InfluxDB's msgpackFormatter (tinylib/msgp). Maps and values
/// in the smallest MessagePack encoding; times as msgp's time extension (type 5: 8-byte big-endian
/// seconds, 4-byte big-endian nanoseconds), or integers when <c>epoch</c> is given; tags sorted.
/// </summary>
public static class QueryResponseMsgpack
{
    private const sbyte TimeExtension = 5;

    public static void Write(IBufferWriter<byte> output, IReadOnlyList<QueryResult> results, ResultFormat format)
    {
        var w = new Writer(output);
        w.Map(1);
        w.String("results");
        w.Array(results.Count);
        foreach (var result in results)
        {
            if (result.Error is { } error)
            {
                w.Map(1);
                w.String("error");
                w.String(error);
                continue;
            }
            int size = 2 + (result.Messages.Count > 0 ? 1 : 0) + (result.Partial ? 1 : 0);
            w.Map(size);
            w.String("statement_id");
            w.Integer(result.StatementId);
            if (result.Messages.Count > 0)
            {
                w.String("messages");
                w.Array(result.Messages.Count);
                foreach (var message in result.Messages)
                {
                    w.Map(2);
                    w.String("level");
                    w.String(message.Level);
                    w.String("text");
                    w.String(message.Text);
                }
            }
            w.String("series");
            w.Array(result.Series.Count);
            foreach (var series in result.Series)
            {
                int fields = 2 + (series.Name.Length > 0 ? 1 : 0) + (series.Tags.Count > 0 ? 1 : 0) + (series.Partial ? 1 : 0);
                w.Map(fields);
                if (series.Name.Length > 0)
                {
                    w.String("name");
                    w.String(series.Name);
                }
                if (series.Tags.Count > 0)
                {
                    w.String("tags");
                    w.Map(series.Tags.Count);
                    foreach (var (key, value) in series.Tags.OrderBy(t => t.Key, StringComparer.Ordinal))
                    {
                        w.String(key);
                        w.String(value);
                    }
                }
                w.String("columns");
                w.Array(series.Columns.Count);
                foreach (var column in series.Columns) w.String(column);
                w.String("values");
                w.Array(series.Values.Count);
                foreach (var row in series.Values)
                {
                    w.Array(row.Length);
                    foreach (var value in row) w.Value(value, format);
                }
                if (series.Partial)
                {
                    w.String("partial");
                    w.Boolean(true);
                }
            }
            if (result.Partial)
            {
                w.String("partial");
                w.Boolean(true);
            }
        }
    }

    public static void WriteError(IBufferWriter<byte> output, string error)
    {
        var w = new Writer(output);
        w.Map(1);
        w.String("error");
        w.String(error);
    }

    private readonly struct Writer(IBufferWriter<byte> output)
    {
        public void Map(int count)
        {
            if (count < 16) Byte((byte)(0x80 | count));
            else if (count <= ushort.MaxValue) { Byte(0xde); U16((ushort)count); }
            else { Byte(0xdf); U32((uint)count); }
        }

        public void Array(int count)
        {
            if (count < 16) Byte((byte)(0x90 | count));
            else if (count <= ushort.MaxValue) { Byte(0xdc); U16((ushort)count); }
            else { Byte(0xdd); U32((uint)count); }
        }

        public void String(string value)
        {
            int length = Encoding.UTF8.GetByteCount(value);
            if (length < 32) Byte((byte)(0xa0 | length));
            else if (length <= byte.MaxValue) { Byte(0xd9); Byte((byte)length); }
            else if (length <= ushort.MaxValue) { Byte(0xda); U16((ushort)length); }
            else { Byte(0xdb); U32((uint)length); }
            var span = output.GetSpan(length);
            Encoding.UTF8.GetBytes(value, span);
            output.Advance(length);
        }

        public void Boolean(bool value) => Byte(value ? (byte)0xc3 : (byte)0xc2);

        /// <summary>msgp's WriteInt64: the smallest encoding of a signed integer.</summary>
        public void Integer(long value)
        {
            if (value >= 0 && value <= 127) Byte((byte)value);
            else if (value < 0 && value >= -32) Byte((byte)(sbyte)value);
            else if (value >= sbyte.MinValue && value <= sbyte.MaxValue) { Byte(0xd0); Byte((byte)(sbyte)value); }
            else if (value >= short.MinValue && value <= short.MaxValue) { Byte(0xd1); U16((ushort)(short)value); }
            else if (value >= int.MinValue && value <= int.MaxValue) { Byte(0xd2); U32((uint)(int)value); }
            else { Byte(0xd3); U64((ulong)value); }
        }

        /// <summary>msgp's WriteUint64: the smallest unsigned encoding.</summary>
        public void Unsigned(ulong value)
        {
            if (value <= 127) Byte((byte)value);
            else if (value <= byte.MaxValue) { Byte(0xcc); Byte((byte)value); }
            else if (value <= ushort.MaxValue) { Byte(0xcd); U16((ushort)value); }
            else if (value <= uint.MaxValue) { Byte(0xce); U32((uint)value); }
            else { Byte(0xcf); U64(value); }
        }

        public void Value(object? value, ResultFormat format)
        {
            switch (value)
            {
                case null: Byte(0xc0); break;
                case double d: Byte(0xcb); U64((ulong)BitConverter.DoubleToInt64Bits(d)); break;
                case float f: Byte(0xca); U32(BitConverter.SingleToUInt32Bits(f)); break;
                case long l: Integer(l); break;
                case int i: Integer(i); break;
                case ulong u: Unsigned(u); break;
                case bool b: Boolean(b); break;
                case string s: String(s); break;
                case ResultTime t when format.EpochDivisor > 0: Integer(t.UnixNanoseconds / format.EpochDivisor); break;
                case ResultTime t:
                {
                    long seconds = Math.DivRem(t.UnixNanoseconds, 1_000_000_000L, out long nanos);
                    if (nanos < 0) { seconds--; nanos += 1_000_000_000L; }
                    Byte(0xc7); Byte(12); Byte(unchecked((byte)TimeExtension));
                    U64((ulong)seconds);
                    U32((uint)nanos);
                    break;
                }
                default: String(value.ToString() ?? ""); break;
            }
        }

        private void Byte(byte value)
        {
            output.GetSpan(1)[0] = value;
            output.Advance(1);
        }

        private void U16(ushort value)
        {
            BinaryPrimitives.WriteUInt16BigEndian(output.GetSpan(2), value);
            output.Advance(2);
        }

        private void U32(uint value)
        {
            BinaryPrimitives.WriteUInt32BigEndian(output.GetSpan(4), value);
            output.Advance(4);
        }

        private void U64(ulong value)
        {
            BinaryPrimitives.WriteUInt64BigEndian(output.GetSpan(8), value);
            output.Advance(8);
        }
    }
}
