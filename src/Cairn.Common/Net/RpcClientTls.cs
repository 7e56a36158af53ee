using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Cairn.Common.Config;

namespace Cairn.Common.Net;

/// <summary>
/// The client end of TLS for <see cref="Rpc.RpcConnection"/>. The server's certificate is checked against the
/// platform's trust store (on Linux, SSL_CERT_FILE / SSL_CERT_DIR override it) or <see cref="TrustedRoots"/>,
/// and its name against the dialled host, unless <see cref="SkipVerify"/>.
/// </summary>
public sealed class RpcClientTls
{
    /// <summary><c>https-insecure-tls</c> / <c>data-insecure-tls</c>: accept any certificate.</summary>
    public bool SkipVerify { get; init; }

    /// <summary>From <c>[tls] min-version</c>/<c>max-version</c>; None leaves the choice to the platform.</summary>
    public SslProtocols Protocols { get; init; } = SslProtocols.None;

    /// <summary>From <c>[tls] ciphers</c>; null leaves the choice to the platform.</summary>
    public CipherSuitesPolicy? Ciphers { get; init; }

    /// <summary>Roots to trust instead of the platform's store (embedding and tests; the configuration has no key for it).</summary>
    public X509Certificate2Collection? TrustedRoots { get; init; }

    public SslClientAuthenticationOptions OptionsFor(string targetHost)
    {
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = targetHost,
            EnabledSslProtocols = Protocols,
            CipherSuitesPolicy = Ciphers,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        };
        if (SkipVerify)
        {
            options.RemoteCertificateValidationCallback = static (_, _, _, _) => true;
        }
        else if (TrustedRoots is { } roots)
        {
            var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
            policy.CustomTrustStore.AddRange(roots);
            options.CertificateChainPolicy = policy;
        }
        return options;
    }

    /// <summary>The name a peer's certificate must carry: the host part of a data node's address (an IP or a DNS name).</summary>
    public static string HostOf(string address)
    {
        if (!BindAddress.TryParse(address, out var parsed, out _)) return address;
        var host = parsed.Host.Trim('[', ']');
        return host.Length == 0 ? "localhost" : host;
    }
}
