using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Cairn.Common.Tests.Rpc;

/// <summary>
/// A throwaway CA and a server certificate it signed (ECDSA P-256, SAN IP 127.0.0.1 and DNS localhost), written as
/// PEM files to a temp directory: cert.pem + key.pem, bundle.pem (certificate then key), ca.pem. Deleted on dispose.
/// </summary>
internal sealed class TestCertificates : IDisposable
{
    private TestCertificates(string dir, X509Certificate2 ca)
    {
        Dir = dir;
        Ca = ca;
    }

    public string Dir { get; }
    public X509Certificate2 Ca { get; }
    public string CertificatePath => Path.Combine(Dir, "cert.pem");
    public string KeyPath => Path.Combine(Dir, "key.pem");
    public string BundlePath => Path.Combine(Dir, "bundle.pem");
    public string CaPath => Path.Combine(Dir, "ca.pem");

    public static TestCertificates Create()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"cairn-tls-test-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        var now = DateTimeOffset.UtcNow;

        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Cairn Test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        var ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7f;
        using var leaf = request.Create(ca, now.AddDays(-1), now.AddDays(29), serial);

        string certPem = leaf.ExportCertificatePem();
        string keyPem = key.ExportPkcs8PrivateKeyPem();
        File.WriteAllText(Path.Combine(dir, "cert.pem"), certPem + "\n");
        File.WriteAllText(Path.Combine(dir, "key.pem"), keyPem + "\n");
        File.WriteAllText(Path.Combine(dir, "bundle.pem"), certPem + "\n" + keyPem + "\n");
        File.WriteAllText(Path.Combine(dir, "ca.pem"), ca.ExportCertificatePem() + "\n");
        return new TestCertificates(dir, X509CertificateLoader.LoadCertificate(ca.RawData));
    }

    public void Dispose()
    {
        Ca.Dispose();
        try { Directory.Delete(Dir, recursive: true); }
        catch (IOException) { }
    }
}
