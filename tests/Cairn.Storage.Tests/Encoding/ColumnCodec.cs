using System.Buffers;
using Cairn.Storage.Encoding;

namespace Cairn.Storage.Tests.Encoding;

/// <summary>
/// Encode/decode shortcuts for tests. CsCheck samples on several threads at once and a workspace
/// is single-threaded, so each thread gets its own.
/// </summary>
internal static class ColumnCodec
{
    private static readonly ThreadLocal<EncodingWorkspace> PerThread = new(() => new EncodingWorkspace());

    public static EncodingWorkspace Workspace => PerThread.Value!;

    public static byte[] Timestamps(ReadOnlySpan<long> values)
    {
        var output = new ArrayBufferWriter<byte>();
        TimestampEncoding.Encode(values, output, Workspace);
        return output.WrittenSpan.ToArray();
    }

    public static byte[] Integers(ReadOnlySpan<long> values)
    {
        var output = new ArrayBufferWriter<byte>();
        IntegerEncoding.Encode(values, output, Workspace);
        return output.WrittenSpan.ToArray();
    }

    public static byte[] Unsigned(ReadOnlySpan<ulong> values)
    {
        var output = new ArrayBufferWriter<byte>();
        UnsignedEncoding.Encode(values, output, Workspace);
        return output.WrittenSpan.ToArray();
    }

    public static byte[] Floats(ReadOnlySpan<double> values)
    {
        var output = new ArrayBufferWriter<byte>();
        FloatEncoding.Encode(values, output, Workspace);
        return output.WrittenSpan.ToArray();
    }

    public static byte[] Booleans(ReadOnlySpan<bool> values)
    {
        var output = new ArrayBufferWriter<byte>();
        BooleanEncoding.Encode(values, output);
        return output.WrittenSpan.ToArray();
    }

    public static byte[] Strings(ReadOnlySpan<string> values)
    {
        var output = new ArrayBufferWriter<byte>();
        StringEncoding.Encode(values, output, Workspace);
        return output.WrittenSpan.ToArray();
    }

    public static long[] DecodeTimestamps(byte[] column)
    {
        var values = new long[ColumnHeader.Read(column).Count];
        int count = TimestampEncoding.Decode(column, values, Workspace);
        Require(count == values.Length, "count");
        return values;
    }

    public static long[] DecodeIntegers(byte[] column)
    {
        var values = new long[ColumnHeader.Read(column).Count];
        int count = IntegerEncoding.Decode(column, values, Workspace);
        Require(count == values.Length, "count");
        return values;
    }

    public static ulong[] DecodeUnsigned(byte[] column)
    {
        var values = new ulong[ColumnHeader.Read(column).Count];
        int count = UnsignedEncoding.Decode(column, values, Workspace);
        Require(count == values.Length, "count");
        return values;
    }

    public static double[] DecodeFloats(byte[] column)
    {
        var values = new double[ColumnHeader.Read(column).Count];
        int count = FloatEncoding.Decode(column, values, Workspace);
        Require(count == values.Length, "count");
        return values;
    }

    public static bool[] DecodeBooleans(byte[] column)
    {
        var values = new bool[ColumnHeader.Read(column).Count];
        int count = BooleanEncoding.Decode(column, values);
        Require(count == values.Length, "count");
        return values;
    }

    public static List<string> DecodeStrings(byte[] column)
    {
        var values = new List<string>();
        int count = StringEncoding.Decode(column, values, Workspace);
        Require(count == values.Count, "count");
        return values;
    }

    public static ColumnEncoding EncodingOf(byte[] column) => (ColumnEncoding)column[0];

    /// <summary>Fails a CsCheck sample; CsCheck then shrinks the input and prints the seed.</summary>
    public static void Require(bool condition, string what)
    {
        if (!condition)
            throw new InvalidOperationException("Property failed: " + what);
    }

    public static void RequireSame<T>(ReadOnlySpan<T> expected, ReadOnlySpan<T> actual, string what)
        where T : IEquatable<T>
    {
        Require(expected.Length == actual.Length, $"{what}: length {actual.Length}, expected {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
            Require(expected[i].Equals(actual[i]), $"{what}: value {i} is {actual[i]}, expected {expected[i]}");
    }
}
