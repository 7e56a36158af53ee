using System.Text.Encodings.Web;
using System.Text.Json;

namespace Cairn.Common.Web;

/// <summary>
/// JSON writer options shared by every body Cairn writes. InfluxDB (Go) escapes only what JSON
/// requires, so quotes come out as \" and not \u0022; the relaxed encoder does the same.
/// </summary>
public static class JsonWriting
{
    public static readonly JsonWriterOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    public static readonly JsonWriterOptions Indented = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = true };
}
