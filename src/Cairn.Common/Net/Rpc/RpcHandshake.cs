using System.Security.Cryptography;
using System.Text;

namespace Cairn.Common.Net.Rpc;

/// <summary>
/// Right after the service byte the server sends a random nonce; the client proves it holds the
/// internal shared secret by answering HMAC-SHA256(key = UTF-8 secret, nonce ‖ service byte).
/// Binding the service byte means a proof for one service cannot open another.
/// </summary>
public static class RpcHandshake
{
    public const int NonceSize = 32;
    public const int ProofSize = 32;
    public const string SecretsDiffer = "the internal shared secrets differ";

    public static byte[] NewNonce() => RandomNumberGenerator.GetBytes(NonceSize);

    public static byte[] Prove(string internalSharedSecret, ReadOnlySpan<byte> nonce, byte service)
    {
        Span<byte> message = stackalloc byte[NonceSize + 1];
        nonce.CopyTo(message);
        message[NonceSize] = service;
        return HMACSHA256.HashData(Encoding.UTF8.GetBytes(internalSharedSecret), message);
    }

    public static bool Verify(string internalSharedSecret, ReadOnlySpan<byte> nonce, byte service, ReadOnlySpan<byte> proof) =>
        CryptographicOperations.FixedTimeEquals(Prove(internalSharedSecret, nonce, service), proof);
}
