using Cairn.Storage.Index;

namespace Cairn.Storage.Engine;

/// <summary>
/// Splits a canonical series key (<c>measurement,tag=value,…</c>, escaped as line protocol escapes
/// them) back into its unescaped measurement and tags: WAL replay re-creates series from keys alone.
/// </summary>
public static class SeriesKeyParser
{
    /// <summary>Parses <paramref name="seriesKey"/>; false when it is not a well-formed key.</summary>
    public static bool TryParse(ReadOnlySpan<byte> seriesKey, out byte[] measurement, out SeriesTagList tags)
    {
        tags = default;
        int at = 0;
        measurement = Unescape(seriesKey, ref at, stopAtEquals: false, isMeasurement: true);
        if (measurement.Length == 0) return false;
        var list = new List<(byte[] Key, byte[] Value)>();
        while (at < seriesKey.Length)
        {
            if (seriesKey[at] != (byte)',') return false;
            at++;
            var key = Unescape(seriesKey, ref at, stopAtEquals: true);
            if (at >= seriesKey.Length || seriesKey[at] != (byte)'=' || key.Length == 0) return false;
            at++;
            var value = Unescape(seriesKey, ref at, stopAtEquals: false);
            list.Add((key, value));
        }
        tags = new SeriesTagList([.. list]);
        return true;
    }

    /// <summary>The unescaped measurement name of a series key.</summary>
    public static byte[] Measurement(ReadOnlySpan<byte> seriesKey)
    {
        int at = 0;
        return Unescape(seriesKey, ref at, stopAtEquals: false, isMeasurement: true);
    }

    private static byte[] Unescape(ReadOnlySpan<byte> key, ref int at, bool stopAtEquals, bool isMeasurement = false)
    {
        var result = new List<byte>(32);
        while (at < key.Length)
        {
            byte b = key[at];
            if (b == (byte)'\\' && at + 1 < key.Length && (key[at + 1] is (byte)',' or (byte)' ' || (!isMeasurement && key[at + 1] == (byte)'=')))
            {
                result.Add(key[at + 1]);
                at += 2;
                continue;
            }
            if (b == (byte)',' || (stopAtEquals && b == (byte)'=')) break;
            result.Add(b);
            at++;
        }
        return [.. result];
    }
}
