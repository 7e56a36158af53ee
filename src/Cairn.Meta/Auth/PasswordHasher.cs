using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Cairn.Meta.Auth;

/// <summary>
/// bcrypt password hashes, as InfluxDB 1.x stores them (cost 10, <c>$2a$</c>). Checking a password costs
/// tens of milliseconds by design, so a successful check is remembered per user and hash as a salted SHA-256
/// (InfluxDB's meta client keeps the same kind of cache): a request with the same credentials is then cheap,
/// and a changed hash (SET PASSWORD, a dropped and re-created user) misses the cache.
/// </summary>
public sealed class PasswordHasher
{
    /// <summary>bcrypt's work factor: InfluxDB's <c>bcrypt.DefaultCost</c>.</summary>
    public const int DefaultCost = 10;

    private readonly int _cost;
    private readonly ConcurrentDictionary<string, Verified> _verified = new(StringComparer.Ordinal);

    private sealed record Verified(string Hash, byte[] Salt, byte[] Digest);

    public PasswordHasher(int cost = DefaultCost)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(cost, 4);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(cost, 31);
        _cost = cost;
    }

    public string Hash(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        return BCrypt.Net.BCrypt.HashPassword(password, BCrypt.Net.BCrypt.GenerateSalt(_cost, 'a'));
    }

    /// <summary>True when <paramref name="password"/> is the one <paramref name="hash"/> was made from.</summary>
    public bool Verify(string user, string password, string hash)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(password);
        ArgumentNullException.ThrowIfNull(hash);
        if (_verified.TryGetValue(user, out var known) && known.Hash == hash)
            return CryptographicOperations.FixedTimeEquals(known.Digest, Digest(known.Salt, password));

        bool ok;
        try { ok = BCrypt.Net.BCrypt.Verify(password, hash); }
        catch (Exception e) when (e is BCrypt.Net.SaltParseException or ArgumentException) { ok = false; }
        if (ok)
        {
            var salt = RandomNumberGenerator.GetBytes(16);
            _verified[user] = new Verified(hash, salt, Digest(salt, password));
        }
        return ok;
    }

    private static byte[] Digest(byte[] salt, string password)
    {
        var bytes = new byte[salt.Length + Encoding.UTF8.GetByteCount(password)];
        salt.CopyTo(bytes, 0);
        Encoding.UTF8.GetBytes(password, bytes.AsSpan(salt.Length));
        return SHA256.HashData(bytes);
    }
}
