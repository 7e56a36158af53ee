using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Cairn.Meta.Licensing;

namespace Cairn.Meta.Tests;

public class LicenseCodecTests
{
    // ---- Round trip ------------------------------------------------------------------------

    [Test]
    public async Task IssueThenRead_DevelopmentKey_GivesTheSameLicence()
    {
        var license = Licenses.Make();
        var document = Licenses.Signed(license);
        var error = Licenses.Read(document, out var read, out var detail);
        await Assert.That(error).IsEqualTo(LicenseError.None);
        await Assert.That(detail).IsEqualTo("");
        await Assert.That(read).IsEqualTo(license);
    }

    [Test]
    public async Task IssueThenRead_UnusualValues_RoundTrip()
    {
        var license = Licenses.Make(
            id: "id with \"quotes\" and \\ backslash",
            licensee: "Müller & Söhne <GmbH> 'x'\n\tline two",
            expires: new DateTimeOffset(2031, 2, 3, 4, 5, 6, TimeSpan.FromHours(2)),
            maxDataNodes: 0,
            maxCores: 0,
            graceStart: TimeSpan.Zero,
            graceRunning: TimeSpan.FromMilliseconds(1500));
        var error = Licenses.Read(Licenses.Signed(license), out var read, out var detail);
        await Assert.That(error).IsEqualTo(LicenseError.None).Because(detail);
        await Assert.That(read).IsEqualTo(license);
        await Assert.That(read!.Expires.Offset).IsEqualTo(TimeSpan.Zero);
    }

    [Test]
    public async Task Issue_Document_IsPrettyPrintedWithSignatureLastAndGoStyleValues()
    {
        var document = Licenses.Signed(Licenses.Make());
        await Assert.That(document).EndsWith("}\n");
        await Assert.That(document).Contains("\n  \"licensee\": \"Example Corp\"");
        await Assert.That(document).Contains("\"issued\": \"2026-01-01T00:00:00Z\"");
        await Assert.That(document).Contains("\"expires\": \"2030-06-30T12:00:00Z\"");
        await Assert.That(document).Contains("\"grace-start\": \"4h0m0s\"");
        await Assert.That(document).Contains("\"grace-running\": \"336h0m0s\"");
        var names = JsonNode.Parse(document)!.AsObject().Select(p => p.Key).ToArray();
        await Assert.That(string.Join(",", names))
            .IsEqualTo("licensee,id,issued,expires,max-data-nodes,max-cores,grace-start,grace-running,signature");
    }

    [Test]
    public async Task TrustedKey_Build_IsThePublicHalfOfTheDevelopmentKey()
    {
        using var dev = Keys.Development();
        using var trusted = LicenseCodec.TrustedKey();
        await Assert.That(Convert.ToBase64String(trusted.ExportSubjectPublicKeyInfo()))
            .IsEqualTo(Convert.ToBase64String(dev.ExportSubjectPublicKeyInfo()));
    }

    [Test]
    public async Task TryRead_EmbeddedDevelopmentLicence_Verifies()
    {
        var error = Licenses.Read(LicenseLoader.EmbeddedDevelopmentLicense(), out var license, out var detail);
        await Assert.That(error).IsEqualTo(LicenseError.None).Because(detail);
        await Assert.That(license!.Id).IsEqualTo("cairn-development");
    }

    // ---- Canonical payload: formatting of the document does not matter ---------------------

    [Test]
    public async Task TryRead_CompactDocument_VerifiesLikeThePrettyOne()
    {
        var license = Licenses.Make();
        var pretty = Licenses.Signed(license);
        var compact = Licenses.Edit(pretty, _ => { });
        await Assert.That(compact).DoesNotContain("\n");
        await Assert.That(Licenses.Read(compact, out var read, out _)).IsEqualTo(LicenseError.None);
        await Assert.That(read).IsEqualTo(license);
    }

    [Test]
    public async Task TryRead_FieldsReorderedAndReindented_StillVerifies()
    {
        var license = Licenses.Make();
        var original = JsonNode.Parse(Licenses.Signed(license))!.AsObject();
        var sb = new StringBuilder("{\r\n");
        var fields = original.Select(p => (p.Key, Value: p.Value!.ToJsonString())).Reverse().ToArray();
        for (int i = 0; i < fields.Length; i++)
            sb.Append("\t\t").Append('"').Append(fields[i].Key).Append("\"  :   ").Append(fields[i].Value).Append(i < fields.Length - 1 ? ",\r\n" : "\r\n");
        sb.Append('}');
        await Assert.That(Licenses.Read(sb.ToString(), out var read, out var detail)).IsEqualTo(LicenseError.None).Because(detail);
        await Assert.That(read).IsEqualTo(license);
    }

    [Test]
    public async Task TryRead_DocumentSignedOverDocumentedCanonicalPayload_Verifies()
    {
        // Built by hand from the format LicenseCodec documents, not with Issue, so an outside issuer can follow it.
        const string payload = "{\"licensee\":\"Example \\\"Corp\\\" \\\\ Ltd\",\"id\":\"lic-42\",\"issued\":\"2026-03-01T00:00:00Z\",\"expires\":\"2027-03-01T00:00:00Z\",\"max-data-nodes\":3,\"max-cores\":8,\"grace-start\":\"4h\",\"grace-running\":\"72h0m0s\"}";
        var document = SignByHand(payload);
        await Assert.That(Licenses.Read(document, out var license, out var detail)).IsEqualTo(LicenseError.None).Because(detail);
        await Assert.That(license!.Licensee).IsEqualTo("Example \"Corp\" \\ Ltd");
        await Assert.That(license.Id).IsEqualTo("lic-42");
        await Assert.That(license.Expires).IsEqualTo(new DateTimeOffset(2027, 3, 1, 0, 0, 0, TimeSpan.Zero));
        await Assert.That(license.MaxDataNodes).IsEqualTo(3);
        await Assert.That(license.MaxCores).IsEqualTo(8);
        // "4h" is signed as written, not as Go would print it.
        await Assert.That(license.GraceStart).IsEqualTo(TimeSpan.FromHours(4));
        await Assert.That(license.GraceRunning).IsEqualTo(TimeSpan.FromHours(72));
    }

    [Test]
    public async Task TryRead_HandSignedPayloadWithNonAsciiAndHtmlCharacters_Verifies()
    {
        const string payload = "{\"licensee\":\"Müller & Söhne <GmbH> 'x' µ€\",\"id\":\"lic-43\",\"issued\":\"2026-03-01T00:00:00Z\",\"expires\":\"2027-03-01T00:00:00Z\",\"max-data-nodes\":3,\"max-cores\":0,\"grace-start\":\"4h0m0s\",\"grace-running\":\"336h0m0s\"}";
        await Assert.That(Licenses.Read(SignByHand(payload), out var license, out var detail)).IsEqualTo(LicenseError.None).Because(detail);
        await Assert.That(license!.Licensee).IsEqualTo("Müller & Söhne <GmbH> 'x' µ€");
    }

    [Test]
    public async Task TryRead_HandSignedPayloadWithCharacterOutsideBmp_Verifies()
    {
        const string payload = "{\"licensee\":\"Rocket 🚀 Ltd\",\"id\":\"lic-44\",\"issued\":\"2026-03-01T00:00:00Z\",\"expires\":\"2027-03-01T00:00:00Z\",\"max-data-nodes\":3,\"max-cores\":0,\"grace-start\":\"4h0m0s\",\"grace-running\":\"336h0m0s\"}";
        await Assert.That(Licenses.Read(SignByHand(payload), out var license, out var detail)).IsEqualTo(LicenseError.None).Because(detail);
        await Assert.That(license!.Licensee).IsEqualTo("Rocket 🚀 Ltd");
    }

    [Test]
    public async Task TryRead_HandSignedPayloadInOtherFieldOrder_IsBadSignature()
    {
        // The canonical order is fixed; signing the same fields in another order is not the canonical payload.
        const string payload = "{\"id\":\"lic-42\",\"licensee\":\"Example\",\"issued\":\"2026-03-01T00:00:00Z\",\"expires\":\"2027-03-01T00:00:00Z\",\"max-data-nodes\":3,\"max-cores\":8,\"grace-start\":\"4h0m0s\",\"grace-running\":\"336h0m0s\"}";
        await Assert.That(Licenses.Read(SignByHand(payload), out var license, out _)).IsEqualTo(LicenseError.BadSignature);
        await Assert.That(license).IsNull();
    }

    private static string SignByHand(string payload)
    {
        using var key = Keys.Development();
        var signature = Convert.ToBase64String(key.SignData(Encoding.UTF8.GetBytes(payload), HashAlgorithmName.SHA256));
        return payload[..^1] + ",\"signature\":\"" + signature + "\"}";
    }

    // ---- Tampering and wrong keys ----------------------------------------------------------

    [Test]
    [Arguments("licensee", "\"Someone Else\"")]
    [Arguments("id", "\"lic-0002\"")]
    [Arguments("issued", "\"2025-01-01T00:00:00Z\"")]
    [Arguments("expires", "\"2099-12-31T00:00:00Z\"")]
    [Arguments("expires", "\"2030-06-30T12:00:00+00:00\"")]
    [Arguments("max-data-nodes", "400")]
    [Arguments("max-cores", "0")]
    [Arguments("max-cores", "17")]
    [Arguments("grace-start", "\"400h0m0s\"")]
    [Arguments("grace-start", "\"4h\"")]
    [Arguments("grace-running", "\"8760h0m0s\"")]
    public async Task TryRead_TamperedField_IsBadSignature(string field, string replacement)
    {
        var tampered = Licenses.Edit(Licenses.Signed(Licenses.Make()), o => o[field] = JsonNode.Parse(replacement));
        var error = Licenses.Read(tampered, out var license, out var detail);
        await Assert.That(error).IsEqualTo(LicenseError.BadSignature);
        await Assert.That(license).IsNull();
        await Assert.That(detail).Contains("signature");
    }

    [Test]
    public async Task TryRead_SignedWithUntrustedKey_IsBadSignature()
    {
        using var other = Keys.Untrusted();
        var document = LicenseCodec.Issue(Licenses.Make(), other);
        await Assert.That(Licenses.Read(document, out var license, out _)).IsEqualTo(LicenseError.BadSignature);
        await Assert.That(license).IsNull();
    }

    [Test]
    public async Task TryRead_VerifiedAgainstAnotherKey_IsBadSignature()
    {
        var document = Licenses.Signed(Licenses.Make());
        using var other = Keys.Untrusted();
        await Assert.That(LicenseCodec.TryRead(document, other, out var license, out _)).IsEqualTo(LicenseError.BadSignature);
        await Assert.That(license).IsNull();
    }

    [Test]
    public async Task TryRead_UntrustedKeyVerifiesItsOwnLicence()
    {
        // The check above fails because of the key, not because Issue/TryRead disagree.
        using var other = Keys.Untrusted();
        var document = LicenseCodec.Issue(Licenses.Make(), other);
        await Assert.That(LicenseCodec.TryRead(document, other, out _, out _)).IsEqualTo(LicenseError.None);
    }

    [Test]
    public async Task TryRead_SignatureBitFlipped_IsBadSignature()
    {
        var document = Licenses.Signed(Licenses.Make());
        var tampered = Licenses.Edit(document, o =>
        {
            var bytes = Convert.FromBase64String((string)o["signature"]!);
            bytes[5] ^= 0x01;
            o["signature"] = Convert.ToBase64String(bytes);
        });
        await Assert.That(Licenses.Read(tampered, out _, out _)).IsEqualTo(LicenseError.BadSignature);
    }

    [Test]
    public async Task TryRead_SignatureOfWrongLength_IsBadSignature()
    {
        var tampered = Licenses.Edit(Licenses.Signed(Licenses.Make()), o => o["signature"] = Convert.ToBase64String(new byte[10]));
        await Assert.That(Licenses.Read(tampered, out _, out _)).IsEqualTo(LicenseError.BadSignature);
    }

    [Test]
    public async Task TryRead_SignatureFromAnotherLicence_IsBadSignature()
    {
        var a = JsonNode.Parse(Licenses.Signed(Licenses.Make(id: "a")))!.AsObject();
        var b = Licenses.Edit(Licenses.Signed(Licenses.Make(id: "b")), o => o["signature"] = (string)a["signature"]!);
        await Assert.That(Licenses.Read(b, out _, out _)).IsEqualTo(LicenseError.BadSignature);
    }

    // ---- Malformed documents ---------------------------------------------------------------

    [Test]
    [Arguments("")]
    [Arguments("not json")]
    [Arguments("{")]
    [Arguments("[]")]
    [Arguments("\"a string\"")]
    [Arguments("42")]
    [Arguments("null")]
    [Arguments("{}")]
    public async Task TryRead_NotALicenceObject_IsMalformed(string document)
    {
        var error = Licenses.Read(document, out var license, out var detail);
        await Assert.That(error).IsEqualTo(LicenseError.Malformed);
        await Assert.That(license).IsNull();
        await Assert.That(detail).IsNotEmpty();
    }

    [Test]
    [Arguments("licensee")]
    [Arguments("id")]
    [Arguments("issued")]
    [Arguments("expires")]
    [Arguments("max-data-nodes")]
    [Arguments("max-cores")]
    [Arguments("grace-start")]
    [Arguments("grace-running")]
    [Arguments("signature")]
    public async Task TryRead_MissingField_IsMalformedNamingIt(string field)
    {
        var document = Licenses.Edit(Licenses.Signed(Licenses.Make()), o => o.Remove(field));
        var error = Licenses.Read(document, out var license, out var detail);
        await Assert.That(error).IsEqualTo(LicenseError.Malformed);
        await Assert.That(license).IsNull();
        await Assert.That(detail).Contains($"\"{field}\"");
        await Assert.That(detail).Contains("missing");
    }

    [Test]
    [Arguments("licensee", "5")]
    [Arguments("id", "null")]
    [Arguments("issued", "20260101")]
    [Arguments("max-data-nodes", "\"4\"")]
    [Arguments("max-cores", "16.5")]
    [Arguments("max-cores", "3000000000")]
    [Arguments("max-cores", "true")]
    [Arguments("grace-start", "14400")]
    [Arguments("signature", "[]")]
    public async Task TryRead_FieldOfWrongType_IsMalformedNamingIt(string field, string replacement)
    {
        var document = Licenses.Edit(Licenses.Signed(Licenses.Make()), o => o[field] = JsonNode.Parse(replacement));
        var error = Licenses.Read(document, out var license, out var detail);
        await Assert.That(error).IsEqualTo(LicenseError.Malformed);
        await Assert.That(license).IsNull();
        await Assert.That(detail).Contains($"\"{field}\"");
    }

    [Test]
    [Arguments("issued", "\"yesterday\"")]
    [Arguments("issued", "\"2026-01-01\"")]
    [Arguments("expires", "\"2030-13-45T00:00:00Z\"")]
    [Arguments("grace-start", "\"forever\"")]
    [Arguments("grace-start", "\"-1h\"")]
    [Arguments("grace-running", "\"14d\"")]
    [Arguments("max-data-nodes", "-1")]
    [Arguments("max-cores", "-4")]
    [Arguments("signature", "\"***not base64***\"")]
    public async Task TryRead_BadFieldValue_IsMalformed(string field, string replacement)
    {
        var document = Licenses.Edit(Licenses.Signed(Licenses.Make()), o => o[field] = JsonNode.Parse(replacement));
        var error = Licenses.Read(document, out var license, out var detail);
        await Assert.That(error).IsEqualTo(LicenseError.Malformed);
        await Assert.That(license).IsNull();
        await Assert.That(detail).IsNotEmpty();
    }

    [Test]
    public async Task TryRead_HugeGraceDuration_IsMalformedNotException()
    {
        var document = Licenses.Edit(Licenses.Signed(Licenses.Make()), o => o["grace-start"] = "100000000000000000000h");
        LicenseError error = LicenseError.None;
        Exception? thrown = null;
        try { error = Licenses.Read(document, out _, out _); }
        catch (Exception e) { thrown = e; }
        await Assert.That(thrown).IsNull();
        await Assert.That(error).IsEqualTo(LicenseError.Malformed);
    }

    [Test]
    public async Task TryRead_UnknownField_IsMalformedNamingIt()
    {
        var document = Licenses.Edit(Licenses.Signed(Licenses.Make()), o => o["max-memory"] = 1);
        var error = Licenses.Read(document, out var license, out var detail);
        await Assert.That(error).IsEqualTo(LicenseError.Malformed);
        await Assert.That(license).IsNull();
        await Assert.That(detail).Contains("\"max-memory\"");
    }

    [Test]
    [Arguments("id")]
    [Arguments("max-cores")]
    [Arguments("signature")]
    public async Task TryRead_DuplicateField_IsMalformedNamingIt(string field)
    {
        // A second copy of a signed field could make a reader that keeps the last value see something unsigned.
        var document = Licenses.Signed(Licenses.Make());
        var copy = JsonNode.Parse(document)![field]!.ToJsonString();
        var duplicated = "{\"" + field + "\":" + copy + "," + document.TrimStart()[1..];
        var error = Licenses.Read(duplicated, out var license, out var detail);
        await Assert.That(error).IsEqualTo(LicenseError.Malformed);
        await Assert.That(license).IsNull();
        await Assert.That(detail).Contains($"\"{field}\"");
        await Assert.That(detail).Contains("twice");
    }

    // ---- Formatting helpers ----------------------------------------------------------------

    [Test]
    public async Task FormatTime_AnyOffset_IsRfc3339Utc()
    {
        var time = new DateTimeOffset(2030, 1, 1, 1, 30, 15, 999, TimeSpan.FromHours(-5));
        await Assert.That(LicenseCodec.FormatTime(time)).IsEqualTo("2030-01-01T06:30:15Z");
    }

    [Test]
    [Arguments("2030-01-01T00:00:00Z", true)]
    [Arguments("2030-01-01T02:00:00+02:00", true)]
    [Arguments("2030-01-01", false)]
    [Arguments("soon", false)]
    public async Task TryTime_Text_AcceptsOnlyDateAndTime(string text, bool ok)
    {
        await Assert.That(LicenseCodec.TryTime(text, out var time)).IsEqualTo(ok);
        if (ok) await Assert.That(time).IsEqualTo(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
    }
}
