using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Cairn.Meta.Auth;

/// <summary>The claims InfluxDB reads from a bearer token.</summary>
public readonly record struct JwtClaims(string? Username, double? Expiry);

/// <summary>
/// Validates an HMAC-signed JSON Web Token (RFC 7519: base64url header.payload.signature) as InfluxDB's
/// jwt-go v3 does, with its error texts: the algorithm must be HS256, HS384 or HS512, the signature must
/// match the shared secret, and <c>exp</c>, <c>nbf</c> and <c>iat</c> are checked when present.
/// </summary>
public static class JwtToken
{
    public static bool TryValidate(string token, byte[] secret, long nowSeconds, out JwtClaims claims, [NotNullWhen(false)] out string? error)
    {
        claims = default;
        var parts = token.Split('.');
        if (parts.Length != 3) return Fail("token contains an invalid number of segments", out error);
        if (!TryDecode(parts[0], out var header) || !TryDecode(parts[1], out var payload) || !TryDecode(parts[2], out var signature))
            return Fail("illegal base64 data", out error);

        string? alg;
        try { alg = ReadAlgorithm(header); }
        catch (JsonException) { return Fail("invalid character in token header", out error); }
        HashAlgorithmName? hash = alg switch
        {
            "HS256" => HashAlgorithmName.SHA256,
            "HS384" => HashAlgorithmName.SHA384,
            "HS512" => HashAlgorithmName.SHA512,
            _ => null,
        };
        if (alg is null or "" || (hash is null && alg is not ("RS256" or "RS384" or "RS512" or "ES256" or "ES384" or "ES512" or "PS256" or "PS384" or "PS512")))
            return Fail("signing method (alg) is unavailable.", out error);
        if (hash is not { } h) return Fail("unexpected signing method: " + alg, out error);

        // Claims are parsed before the signature is checked (jwt-go's order), so a malformed body reports as such.
        try { claims = ReadClaims(payload, out var notBefore, out var issuedAt, nowSeconds, out var claimError); if (claimError is not null) return Fail(claimError, out error); }
        catch (JsonException) { return Fail("invalid character in token claims", out error); }

        var signed = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
        byte[] expected = h == HashAlgorithmName.SHA256 ? HMACSHA256.HashData(secret, signed)
            : h == HashAlgorithmName.SHA384 ? HMACSHA384.HashData(secret, signed)
            : HMACSHA512.HashData(secret, signed);
        if (!CryptographicOperations.FixedTimeEquals(expected, signature)) return Fail("signature is invalid", out error);
        error = null;
        return true;
    }

    /// <summary>An HS512 token with <c>username</c> and <c>exp</c> (Unix seconds), as influxd-ctl's token command and node-to-node calls send.</summary>
    public static string Create(string username, long expirySeconds, byte[] secret)
    {
        static string Encode(ReadOnlySpan<byte> bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var header = Encode("{\"alg\":\"HS512\",\"typ\":\"JWT\"}"u8);
        using var json = new MemoryStream();
        using (var w = new Utf8JsonWriter(json))
        {
            w.WriteStartObject();
            w.WriteString("username", username);
            w.WriteNumber("exp", expirySeconds);
            w.WriteEndObject();
        }
        var body = header + "." + Encode(json.ToArray());
        return body + "." + Encode(HMACSHA512.HashData(secret, Encoding.ASCII.GetBytes(body)));
    }

    private static bool Fail(string message, out string? error)
    {
        error = message;
        return false;
    }

    private static bool TryDecode(string segment, out byte[] bytes)
    {
        bytes = [];
        var text = segment.Replace('-', '+').Replace('_', '/');
        text = text.TrimEnd('=');
        text += (text.Length % 4) switch { 2 => "==", 3 => "=", _ => "" };
        if (text.Length % 4 == 1) return false;
        try { bytes = Convert.FromBase64String(text); return true; }
        catch (FormatException) { return false; }
    }

    private static string? ReadAlgorithm(byte[] header)
    {
        var reader = new Utf8JsonReader(header);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) throw new JsonException();
        string? alg = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool isAlg = reader.ValueTextEquals("alg"u8);
            reader.Read();
            if (isAlg && reader.TokenType == JsonTokenType.String) alg = reader.GetString();
            else reader.Skip();
        }
        return alg;
    }

    /// <summary>Reads username and exp, and checks exp, nbf and iat against now (jwt-go MapClaims.Valid, its texts).</summary>
    private static JwtClaims ReadClaims(byte[] payload, out double? notBefore, out double? issuedAt, long now, out string? error)
    {
        var reader = new Utf8JsonReader(payload);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) throw new JsonException();
        string? username = null;
        bool usernameIsString = false;
        double? exp = null;
        notBefore = issuedAt = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string name = reader.GetString() ?? "";
            reader.Read();
            switch (name)
            {
                case "username" when reader.TokenType == JsonTokenType.String:
                    username = reader.GetString();
                    usernameIsString = true;
                    break;
                case "exp" when reader.TokenType == JsonTokenType.Number:
                    exp = reader.GetDouble();
                    break;
                case "nbf" when reader.TokenType == JsonTokenType.Number:
                    notBefore = reader.GetDouble();
                    break;
                case "iat" when reader.TokenType == JsonTokenType.Number:
                    issuedAt = reader.GetDouble();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
        error = null;
        if (exp is { } e && now > (long)e) error = "Token is expired";
        else if (issuedAt is { } i && now < (long)i) error = "Token used before issued";
        else if (notBefore is { } n && now < (long)n) error = "Token is not valid yet";
        return new JwtClaims(usernameIsString ? username : null, exp);
    }
}
