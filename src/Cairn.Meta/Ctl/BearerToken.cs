using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Cairn.Meta.Ctl;

/// <summary>
/// The JSON Web Token influxd-ctl sends with <c>-auth-type jwt</c> and prints with <c>token</c>:
/// HS512 over <c>{"alg":"HS512","typ":"JWT"}</c> and <c>{"username":…,"exp":…}</c> (exp in Unix
/// seconds), keyed with the UTF-8 bytes of the shared secret.
/// </summary>
internal static class BearerToken
{
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromMinutes(1);

    private static readonly string EncodedHeader = Base64Url.EncodeToString("""{"alg":"HS512","typ":"JWT"}"""u8);

    public static string Create(string username, string secret, DateTimeOffset expires)
    {
        var payload = new ArrayBufferWriter<byte>(128);
        using (var json = new Utf8JsonWriter(payload))
        {
            json.WriteStartObject();
            json.WriteString("username", username);
            json.WriteNumber("exp", expires.ToUnixTimeSeconds());
            json.WriteEndObject();
        }
        var signingInput = EncodedHeader + "." + Base64Url.EncodeToString(payload.WrittenSpan);
        var signature = HMACSHA512.HashData(Encoding.UTF8.GetBytes(secret), Encoding.ASCII.GetBytes(signingInput));
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }
}
