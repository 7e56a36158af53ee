using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Cairn.Common.Config;

namespace Cairn.Common.Net;

/// <summary>
/// Builds the TLS settings of the cluster RPC port from the configuration, once, at startup: a bad certificate or
/// key file stops the node with a message naming the key and the file, before anything listens.
/// </summary>
public static class TlsSettings
{
    /// <summary>The RPC port's server settings from <c>[cluster] https-*</c> and <c>[tls]</c>; null when TLS is off.</summary>
    public static TlsServerSettings? ForRpcServer(CairnConfig config)
    {
        var cluster = config.Cluster;
        if (!cluster.HttpsEnabled) return null;
        var protocols = Protocols(config.Tls);
        var ciphers = Ciphers(config.Tls);
        var (certificate, chain) = LoadCertificate("[cluster] https-certificate", cluster.HttpsCertificate,
            "[cluster] https-private-key", cluster.HttpsPrivateKey);
        return new TlsServerSettings(certificate, chain, protocols, ciphers);
    }

    /// <summary>How a data node dials its peers: <c>[cluster] https-enabled</c>, <c>https-insecure-tls</c>; null when TLS is off.</summary>
    public static RpcClientTls? ForDataClient(CairnConfig config) =>
        config.Cluster.HttpsEnabled ? Client(config.Tls, config.Cluster.HttpsInsecureTls) : null;

    /// <summary>How a meta node dials data nodes: <c>[meta] data-use-tls</c>, <c>data-insecure-tls</c>; null when TLS is off.</summary>
    public static RpcClientTls? ForMetaClient(CairnConfig config) =>
        config.Meta.DataUseTls ? Client(config.Tls, config.Meta.DataInsecureTls) : null;

    private static RpcClientTls Client(TlsSection tls, bool skipVerify) =>
        new() { SkipVerify = skipVerify, Protocols = Protocols(tls), Ciphers = Ciphers(tls) };

    /// <summary>
    /// A PEM certificate and its key: the key from <paramref name="keyPath"/>, or from the certificate file when that
    /// is empty (a bundle). Further certificates in the file are the chain sent to clients.
    /// </summary>
    public static (X509Certificate2 Certificate, X509Certificate2Collection Chain) LoadCertificate(string certificateKey, string certificatePath,
        string privateKeyKey, string keyPath)
    {
        if (string.IsNullOrWhiteSpace(certificatePath)) throw new TlsConfigurationException($"{certificateKey} is empty: TLS needs a certificate");
        if (!File.Exists(certificatePath)) throw new TlsConfigurationException($"{certificateKey} \"{certificatePath}\": no such file");
        if (keyPath.Length > 0 && !File.Exists(keyPath)) throw new TlsConfigurationException($"{privateKeyKey} \"{keyPath}\": no such file");
        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPemFile(certificatePath, keyPath.Length > 0 ? keyPath : null);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            string where = keyPath.Length > 0
                ? $"{certificateKey} \"{certificatePath}\" with {privateKeyKey} \"{keyPath}\""
                : $"{certificateKey} \"{certificatePath}\" (no {privateKeyKey}: the key must be in the same file)";
            throw new TlsConfigurationException($"{where}: {e.Message}", e);
        }
        if (!certificate.HasPrivateKey)
        {
            throw new TlsConfigurationException($"{certificateKey} \"{certificatePath}\": no private key for the certificate");
        }
        var chain = new X509Certificate2Collection();
        try
        {
            chain.ImportFromPemFile(certificatePath);
        }
        catch (CryptographicException e)
        {
            throw new TlsConfigurationException($"{certificateKey} \"{certificatePath}\": {e.Message}", e);
        }
        // The file's first certificate is the leaf; the rest (if any) are intermediates.
        for (int i = chain.Count - 1; i >= 0; i--)
        {
            if (chain[i].RawDataMemory.Span.SequenceEqual(certificate.RawDataMemory.Span)) chain.RemoveAt(i);
        }
        return (certificate, chain);
    }

    /// <summary><c>[tls] min-version</c>..<c>max-version</c> as protocol flags; None when neither is set.</summary>
    public static SslProtocols Protocols(TlsSection tls)
    {
        if (tls.MinVersion.Length == 0 && tls.MaxVersion.Length == 0) return SslProtocols.None;
        int min = tls.MinVersion.Length == 0 ? 0 : VersionIndex("[tls] min-version", tls.MinVersion);
        int max = tls.MaxVersion.Length == 0 ? Versions.Length - 1 : VersionIndex("[tls] max-version", tls.MaxVersion);
        if (min > max)
            throw new TlsConfigurationException($"[tls] min-version \"{tls.MinVersion}\" is above max-version \"{tls.MaxVersion}\"");
        var protocols = SslProtocols.None;
        for (int i = min; i <= max; i++) protocols |= Versions[i].Protocol;
        return protocols;
    }

    /// <summary><c>[tls] ciphers</c> (IANA names, as Go spells them) as a policy; null when empty.</summary>
    public static CipherSuitesPolicy? Ciphers(TlsSection tls)
    {
        if (tls.Ciphers.Count == 0) return null;
        var suites = new List<TlsCipherSuite>(tls.Ciphers.Count);
        foreach (var name in tls.Ciphers)
        {
            if (CipherProblem(name) is { } problem) throw new TlsConfigurationException($"[tls] ciphers \"{name}\": {problem}");
            suites.Add(Enum.Parse<TlsCipherSuite>(name.Trim(), ignoreCase: true));
        }
        if (OperatingSystem.IsWindows()) throw new TlsConfigurationException("[tls] ciphers: Windows cannot restrict cipher suites per connection; leave it empty");
        return new CipherSuitesPolicy(suites);
    }

    /// <summary>Null when <paramref name="version"/> is a version name (tls1.0..tls1.3), else why not (for config validation).</summary>
    public static string? VersionProblem(string version) =>
        version.Length == 0 || FindVersion(version) >= 0 ? null : "must be \"tls1.0\", \"tls1.1\", \"tls1.2\" or \"tls1.3\"";

    /// <summary>Null when <paramref name="name"/> is a known cipher suite name, else why not.</summary>
    public static string? CipherProblem(string name) =>
        Enum.TryParse<TlsCipherSuite>(name.Trim(), ignoreCase: true, out var suite) && !int.TryParse(name, out _) && Enum.IsDefined(suite)
            ? null
            : "unknown cipher suite (use IANA names such as TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256)";

#pragma warning disable SYSLIB0039 // TLS 1.0 and 1.1 are obsolete, but [tls] min-version may still name them.
    private static readonly (string Name, SslProtocols Protocol)[] Versions =
    [
        ("tls1.0", SslProtocols.Tls),
        ("tls1.1", SslProtocols.Tls11),
        ("tls1.2", SslProtocols.Tls12),
        ("tls1.3", SslProtocols.Tls13),
    ];
#pragma warning restore SYSLIB0039

    private static int FindVersion(string version)
    {
        for (int i = 0; i < Versions.Length; i++)
            if (string.Equals(Versions[i].Name, version.Trim(), StringComparison.OrdinalIgnoreCase)) return i;
        return -1;
    }

    private static int VersionIndex(string key, string version)
    {
        int index = FindVersion(version);
        if (index < 0) throw new TlsConfigurationException($"{key} \"{version}\": {VersionProblem(version)}");
        return index;
    }
}
