using System.Globalization;

namespace Cairn.Common.Config;

/// <summary>
/// Sizes as InfluxDB's TOML accepts them: a plain integer of bytes, or a string with a
/// k, m or g suffix ("25m", "1g"; "kb", "mib" and upper case are accepted too).
/// </summary>
public static class ByteSize
{
    public static bool TryParse(ReadOnlySpan<char> text, out long value)
    {
        value = 0;
        var s = text.Trim();
        if (s.IsEmpty) return false;
        int i = 0;
        while (i < s.Length && char.IsAsciiDigit(s[i])) i++;
        if (i == 0 || !long.TryParse(s[..i], NumberStyles.None, CultureInfo.InvariantCulture, out var number)) return false;
        var suffix = s[i..].Trim().ToString().ToLowerInvariant();
        long multiplier = suffix switch
        {
            "" or "b" => 1,
            "k" or "kb" or "kib" => 1L << 10,
            "m" or "mb" or "mib" => 1L << 20,
            "g" or "gb" or "gib" => 1L << 30,
            "t" or "tb" or "tib" => 1L << 40,
            _ => 0,
        };
        if (multiplier == 0) return false;
        try { value = checked(number * multiplier); }
        catch (OverflowException) { return false; }
        return true;
    }
}
