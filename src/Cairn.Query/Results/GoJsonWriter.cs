using System.Buffers;
using System.Globalization;
using System.Text;
using Cairn.Query.Parsing;

namespace Cairn.Query.Results;

/// <summary>
/// Writes JSON byte for byte as Go's <c>encoding/json</c> does, compact (<c>json.Marshal</c>) or indented
/// (<c>json.MarshalIndent(v, "", "    ")</c>).
/// </summary>
/// <remarks>
/// Not Utf8JsonWriter: Go escapes <c>&lt; &gt; &amp;</c> as <c>\u003c \u003e \u0026</c> (lower-case hex, which
/// System.Text.Json's encoders write in upper case), escapes U+2028/U+2029, writes other control characters as
/// <c>\u00XX</c> in lower case, and tag keys are user text in property-name position, which Utf8JsonWriter
/// escapes only through its encoder. A writer this small keeps every byte under our control.
/// </remarks>
internal sealed class GoJsonWriter
{
    private const string Hex = "0123456789abcdef";

    private readonly IBufferWriter<byte> _output;
    private readonly bool _indented;

    // One entry per open container: whether it has an element yet (for commas and empty "{}"/"[]").
    private readonly List<bool> _hasElements = [];
    private bool _afterPropertyName;

    public GoJsonWriter(IBufferWriter<byte> output, bool indented)
    {
        _output = output;
        _indented = indented;
    }

    public void StartObject() => Open((byte)'{');

    public void EndObject() => Close((byte)'}');

    public void StartArray() => Open((byte)'[');

    public void EndArray() => Close((byte)']');

    public void PropertyName(string name)
    {
        BeforeValue();
        WriteQuoted(name);
        if (_indented) WriteAscii(": ");
        else WriteByte((byte)':');
        _afterPropertyName = true;
    }

    public void String(string value)
    {
        BeforeValue();
        WriteQuoted(value);
    }

    public void Null()
    {
        BeforeValue();
        WriteAscii("null");
    }

    public void Boolean(bool value)
    {
        BeforeValue();
        WriteAscii(value ? "true" : "false");
    }

    public void Integer(long value)
    {
        BeforeValue();
        WriteAscii(value.ToString(CultureInfo.InvariantCulture));
    }

    public void Unsigned(ulong value)
    {
        BeforeValue();
        WriteAscii(value.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// A float64 as encoding/json formats it: <c>'f'</c> shortest digits, or <c>'e'</c> below 1e-6 and from
    /// 1e21 on with a one-digit negative exponent shortened (<c>1e-07</c> → <c>1e-7</c>). Go refuses NaN and
    /// infinities; they are written as null.
    /// </summary>
    public void Float(double value)
    {
        if (!double.IsFinite(value))
        {
            Null();
            return;
        }
        BeforeValue();
        WriteAscii(FormatFloat(value));
    }

    internal static string FormatFloat(double value)
    {
        double abs = Math.Abs(value);
        if (abs == 0 || (abs >= 1e-6 && abs < 1e21)) return GoFormat.FormatFloatF(value);
        string s = GoFormat.FormatFloatG(value); // exponent form in this range, as strconv 'e' with -1 precision
        int n = s.Length;
        if (n >= 4 && s[n - 4] == 'e' && s[n - 3] == '-' && s[n - 2] == '0') s = s[..(n - 2)] + s[n - 1];
        return s;
    }

    /// <summary>Writes a newline: InfluxDB ends every response (and every chunk) with one.</summary>
    public void NewLine() => WriteByte((byte)'\n');

    private void Open(byte bracket)
    {
        BeforeValue();
        WriteByte(bracket);
        _hasElements.Add(false);
    }

    private void Close(byte bracket)
    {
        bool hadElements = _hasElements[^1];
        _hasElements.RemoveAt(_hasElements.Count - 1);
        if (_indented && hadElements) Indent();
        WriteByte(bracket);
    }

    private void BeforeValue()
    {
        if (_afterPropertyName)
        {
            _afterPropertyName = false;
            return;
        }
        if (_hasElements.Count == 0) return;
        if (_hasElements[^1]) WriteByte((byte)',');
        else _hasElements[^1] = true;
        if (_indented) Indent();
    }

    private void Indent()
    {
        int spaces = _hasElements.Count * 4;
        var span = _output.GetSpan(1 + spaces);
        span[0] = (byte)'\n';
        span.Slice(1, spaces).Fill((byte)' ');
        _output.Advance(1 + spaces);
    }

    /// <summary>Go's encodeState.string with HTML escaping on (json.Marshal's default).</summary>
    private void WriteQuoted(string value)
    {
        WriteByte((byte)'"');
        var rest = value.AsSpan();
        while (!rest.IsEmpty)
        {
            int safe = 0;
            while (safe < rest.Length && IsSafeAscii(rest[safe])) safe++;
            if (safe > 0)
            {
                WriteUtf8(rest[..safe]);
                rest = rest[safe..];
                continue;
            }
            char c = rest[0];
            if (c < 0x80)
            {
                WriteEscapedAscii(c);
                rest = rest[1..];
                continue;
            }
            if (Rune.DecodeFromUtf16(rest, out var rune, out int used) != OperationStatus.Done)
            {
                WriteAscii("\\ufffd"); // Go writes invalid UTF-8 as the escaped replacement character
                rest = rest[Math.Max(used, 1)..];
                continue;
            }
            if (rune.Value is 0x2028 or 0x2029)
            {
                WriteAscii(rune.Value == 0x2028 ? "\\u2028" : "\\u2029");
            }
            else
            {
                var span = _output.GetSpan(4);
                int written = rune.EncodeToUtf8(span);
                _output.Advance(written);
            }
            rest = rest[used..];
        }
        WriteByte((byte)'"');
    }

    private static bool IsSafeAscii(char c) => c >= 0x20 && c < 0x80 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&';

    private void WriteEscapedAscii(char c)
    {
        switch (c)
        {
            case '"': WriteAscii("\\\""); return;
            case '\\': WriteAscii("\\\\"); return;
            case '\b': WriteAscii("\\b"); return;
            case '\f': WriteAscii("\\f"); return;
            case '\n': WriteAscii("\\n"); return;
            case '\r': WriteAscii("\\r"); return;
            case '\t': WriteAscii("\\t"); return;
        }
        var span = _output.GetSpan(6);
        "\\u00"u8.CopyTo(span);
        span[4] = (byte)Hex[c >> 4];
        span[5] = (byte)Hex[c & 0xF];
        _output.Advance(6);
    }

    private void WriteUtf8(ReadOnlySpan<char> ascii)
    {
        var span = _output.GetSpan(ascii.Length);
        for (int i = 0; i < ascii.Length; i++) span[i] = (byte)ascii[i];
        _output.Advance(ascii.Length);
    }

    private void WriteAscii(string text) => WriteUtf8(text);

    private void WriteByte(byte b)
    {
        _output.GetSpan(1)[0] = b;
        _output.Advance(1);
    }
}
