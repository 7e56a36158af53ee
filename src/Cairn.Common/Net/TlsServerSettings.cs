using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Cairn.Common.Net;

/// <summary>The server end of TLS on a <see cref="TcpServiceListener"/>: the certificate (with its chain) and the policy.</summary>
public sealed class TlsServerSettings
{
    private readonly SslServerAuthenticationOptions _options;

    public TlsServerSettings(X509Certificate2 certificate, X509Certificate2Collection chain, SslProtocols protocols, CipherSuitesPolicy? ciphers)
    {
        Certificate = certificate;
        _options = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = SslStreamCertificateContext.Create(certificate, chain, offline: true),
            EnabledSslProtocols = protocols,
            CipherSuitesPolicy = ciphers,
            ClientCertificateRequired = false,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        };
    }

    public X509Certificate2 Certificate { get; }

    /// <summary>The same options for every connection: SslStream only reads them.</summary>
    public SslServerAuthenticationOptions Options => _options;
}
