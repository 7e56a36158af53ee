using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Cairn.Common;
using Cairn.Common.Config;
using Cairn.Common.Web;

namespace Cairn.Meta.Licensing;

public enum LicenseError
{
    None,
    Malformed,
    BadSignature,
}

/// <summary>
/// The licence document: a JSON object whose fields are the payload plus "signature", an ECDSA
/// P-256 / SHA-256 signature (IEEE P1363, base64) over the canonical payload.
///
/// Canonical payload: compact JSON, UTF-8, no whitespace; strings escape only the quote (\"),
/// the backslash (\\) and control characters (\u00xx, lower-case hex); these keys in this order,
/// the string values exactly as written
/// in the document (times RFC3339, durations Go-style):
///   {"licensee":S,"id":S,"issued":T,"expires":T,"max-data-nodes":N,"max-cores":N,"grace-start":D,"grace-running":D}
/// </summary>
public static class LicenseCodec
{
    private static readonly string[] FieldOrder =
        ["licensee", "id", "issued", "expires", "max-data-nodes", "max-cores", "grace-start", "grace-running"];

    /// <summary>The key licences must be signed with: compiled in at build time.</summary>
    public static ECDsa TrustedKey()
    {
        var key = ECDsa.Create();
        key.ImportSubjectPublicKeyInfo(Convert.FromBase64String(BuildInfo.LicensePublicKey), out _);
        return key;
    }

    public static LicenseError TryRead(string document, ECDsa trustedKey, out License? license, out string detail)
    {
        license = null;
        detail = "";
        Dictionary<string, JsonElement> fields;
        try
        {
            using var doc = JsonDocument.Parse(document);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) { detail = "not a JSON object"; return LicenseError.Malformed; }
            fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (!fields.TryAdd(p.Name, p.Value.Clone())) { detail = $"field \"{p.Name}\" appears twice"; return LicenseError.Malformed; }
            }
        }
        catch (JsonException e)
        {
            detail = "not valid JSON: " + e.Message;
            return LicenseError.Malformed;
        }

        foreach (var name in fields.Keys)
        {
            if (name != "signature" && Array.IndexOf(FieldOrder, name) < 0) { detail = $"unknown field \"{name}\""; return LicenseError.Malformed; }
        }

        if (!TryString(fields, "licensee", out var licensee, ref detail)
            || !TryString(fields, "id", out var id, ref detail)
            || !TryString(fields, "issued", out var issuedText, ref detail)
            || !TryString(fields, "expires", out var expiresText, ref detail)
            || !TryInt(fields, "max-data-nodes", out var maxDataNodes, ref detail)
            || !TryInt(fields, "max-cores", out var maxCores, ref detail)
            || !TryString(fields, "grace-start", out var graceStartText, ref detail)
            || !TryString(fields, "grace-running", out var graceRunningText, ref detail)
            || !TryString(fields, "signature", out var signatureText, ref detail))
            return LicenseError.Malformed;

        if (!TryTime(issuedText, out var issued)) { detail = $"\"issued\" is not an RFC3339 time: {issuedText}"; return LicenseError.Malformed; }
        if (!TryTime(expiresText, out var expires)) { detail = $"\"expires\" is not an RFC3339 time: {expiresText}"; return LicenseError.Malformed; }
        if (!GoDuration.TryParse(graceStartText, out var graceStart) || graceStart < TimeSpan.Zero) { detail = $"\"grace-start\" is not a duration: {graceStartText}"; return LicenseError.Malformed; }
        if (!GoDuration.TryParse(graceRunningText, out var graceRunning) || graceRunning < TimeSpan.Zero) { detail = $"\"grace-running\" is not a duration: {graceRunningText}"; return LicenseError.Malformed; }
        if (maxDataNodes < 0 || maxCores < 0) { detail = "limits must not be negative"; return LicenseError.Malformed; }

        byte[] signature;
        try { signature = Convert.FromBase64String(signatureText); }
        catch (FormatException) { detail = "\"signature\" is not base64"; return LicenseError.Malformed; }

        var payload = CanonicalPayload(licensee, id, issuedText, expiresText, maxDataNodes, maxCores, graceStartText, graceRunningText);
        if (!trustedKey.VerifyData(payload, signature, HashAlgorithmName.SHA256))
        {
            detail = "the signature does not match: the licence was altered or not issued for this build";
            return LicenseError.BadSignature;
        }

        license = new License
        {
            Licensee = licensee, Id = id, Issued = issued, Expires = expires,
            MaxDataNodes = maxDataNodes, MaxCores = maxCores, GraceStart = graceStart, GraceRunning = graceRunning,
        };
        return LicenseError.None;
    }

    /// <summary>Signs a new licence document with <paramref name="privateKey"/>; pretty-printed, signature last.</summary>
    public static string Issue(License license, ECDsa privateKey)
    {
        var issued = FormatTime(license.Issued);
        var expires = FormatTime(license.Expires);
        var graceStart = GoDuration.Format(license.GraceStart);
        var graceRunning = GoDuration.Format(license.GraceRunning);
        var payload = CanonicalPayload(license.Licensee, license.Id, issued, expires, license.MaxDataNodes, license.MaxCores, graceStart, graceRunning);
        var signature = privateKey.SignData(payload, HashAlgorithmName.SHA256);

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, JsonWriting.Indented))
        {
            json.WriteStartObject();
            WriteFields(json, license.Licensee, license.Id, issued, expires, license.MaxDataNodes, license.MaxCores, graceStart, graceRunning);
            json.WriteString("signature", Convert.ToBase64String(signature));
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    public static string FormatTime(DateTimeOffset time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static bool TryTime(string text, out DateTimeOffset time) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time)
        && text.Contains('T');

    private static byte[] CanonicalPayload(string licensee, string id, string issued, string expires, int maxDataNodes, int maxCores, string graceStart, string graceRunning)
    {
        var sb = new StringBuilder(256);
        sb.Append('{');
        AppendString(sb, "licensee", licensee).Append(',');
        AppendString(sb, "id", id).Append(',');
        AppendString(sb, "issued", issued).Append(',');
        AppendString(sb, "expires", expires).Append(',');
        AppendQuoted(sb, "max-data-nodes").Append(':').Append(maxDataNodes.ToString(CultureInfo.InvariantCulture)).Append(',');
        AppendQuoted(sb, "max-cores").Append(':').Append(maxCores.ToString(CultureInfo.InvariantCulture)).Append(',');
        AppendString(sb, "grace-start", graceStart).Append(',');
        AppendString(sb, "grace-running", graceRunning);
        sb.Append('}');
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private static StringBuilder AppendString(StringBuilder sb, string name, string value) =>
        AppendQuoted(AppendQuoted(sb, name).Append(':'), value);

    /// <summary>Canonical string escaping: \" and \\, control characters as \u00xx (lower-case hex), all else literal.</summary>
    private static StringBuilder AppendQuoted(StringBuilder sb, string value)
    {
        sb.Append('"');
        foreach (var ch in value)
        {
            if (ch == '"') sb.Append("\\\"");
            else if (ch == '\\') sb.Append("\\\\");
            else if (ch < 0x20) sb.Append("\\u00").Append(((int)ch).ToString("x2", CultureInfo.InvariantCulture));
            else sb.Append(ch);
        }
        return sb.Append('"');
    }

    private static void WriteFields(Utf8JsonWriter json, string licensee, string id, string issued, string expires, int maxDataNodes, int maxCores, string graceStart, string graceRunning)
    {
        json.WriteString("licensee", licensee);
        json.WriteString("id", id);
        json.WriteString("issued", issued);
        json.WriteString("expires", expires);
        json.WriteNumber("max-data-nodes", maxDataNodes);
        json.WriteNumber("max-cores", maxCores);
        json.WriteString("grace-start", graceStart);
        json.WriteString("grace-running", graceRunning);
    }

    private static bool TryString(Dictionary<string, JsonElement> fields, string name, out string value, ref string detail)
    {
        value = "";
        if (!fields.TryGetValue(name, out var element)) { detail = $"field \"{name}\" is missing"; return false; }
        if (element.ValueKind != JsonValueKind.String) { detail = $"field \"{name}\" must be a string"; return false; }
        value = element.GetString()!;
        return true;
    }

    private static bool TryInt(Dictionary<string, JsonElement> fields, string name, out int value, ref string detail)
    {
        value = 0;
        if (!fields.TryGetValue(name, out var element)) { detail = $"field \"{name}\" is missing"; return false; }
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt32(out value)) { detail = $"field \"{name}\" must be an integer"; return false; }
        return true;
    }
}
