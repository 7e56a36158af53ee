using System.Diagnostics;
using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Cairn.Common.Config;
using Cairn.Common.Net;
using Cairn.Common.Net.Rpc;

// CipherSuitesPolicy is not on Windows; these tests run on Linux like the server.
#pragma warning disable CA1416

namespace Cairn.Common.Tests.Rpc;

/// <summary>TLS on the RPC port: the listener's handshake, the client's verification, and the settings' loading.</summary>
public class RpcTlsTests
{
    private const ushort Echo = 1;

    /// <summary>A plain or TLS client must fail well inside the listener's 10 s first-byte timeout.</summary>
    private static readonly TimeSpan FailFast = TimeSpan.FromSeconds(5);

    private static readonly RpcHandler EchoHandler = (method, payload, _) =>
        ValueTask.FromResult(method == Echo ? RpcReply.Ok(payload) : RpcReply.UnknownMethod(method));

    private sealed class Server(TcpServiceListener listener, RpcService service) : IAsyncDisposable
    {
        public TcpServiceListener Listener { get; } = listener;
        public RpcService Service { get; } = service;
        public IPEndPoint EndPoint => Listener.LocalEndPoint;
        public async ValueTask DisposeAsync() => await Listener.DisposeAsync();
    }

    private static Server Start(TlsServerSettings? tls)
    {
        var listener = TcpServiceListener.Bind(IPAddress.Loopback, 0, "rpc-tls-test", tls);
        var service = new RpcService("rpc-tls-test", EchoHandler, new RpcServiceOptions { InternalSharedSecret = RpcTestServer.Secret });
        service.RegisterOn(listener, RpcTestServer.Service);
        listener.Start();
        return new Server(listener, service);
    }

    private static TlsServerSettings ServerTls(TestCertificates certs, SslProtocols protocols = SslProtocols.None)
    {
        var (certificate, chain) = TlsSettings.LoadCertificate("[cluster] https-certificate", certs.CertificatePath,
            "[cluster] https-private-key", certs.KeyPath);
        return new TlsServerSettings(certificate, chain, protocols, ciphers: null);
    }

    private static RpcClientTls Trusting(TestCertificates certs, SslProtocols protocols = SslProtocols.None) =>
        new() { TrustedRoots = [certs.Ca], Protocols = protocols };

    private static async Task<RpcConnection> DialAsync(IPEndPoint endPoint, RpcClientTls? tls, string? host = null)
    {
        using var dial = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var options = new RpcClientOptions { InternalSharedSecret = RpcTestServer.Secret, Tls = tls };
        return host is null
            ? await RpcConnection.ConnectAsync(endPoint, RpcTestServer.Service, options, dial.Token)
            : await RpcConnection.ConnectAsync(endPoint, host, RpcTestServer.Service, options, dial.Token);
    }

    [Test]
    public async Task CallAsync_TlsClientOnTlsListener_Answers()
    {
        using var certs = TestCertificates.Create();
        await using var server = Start(ServerTls(certs));
        await using var connection = await DialAsync(server.EndPoint, Trusting(certs));

        var answer = await connection.CallAsync(Echo, "over tls"u8.ToArray(), Rpc.Deadline, CancellationToken.None);

        await Assert.That(server.Listener.IsTls).IsTrue();
        await Assert.That(Encoding.UTF8.GetString(answer)).IsEqualTo("over tls");
        await Assert.That(server.Service.Statistics.ConnectionsAccepted).IsEqualTo(1);
        await Assert.That(server.Service.Statistics.Requests).IsEqualTo(1);
    }

    [Test]
    public async Task CallAsync_ManyConcurrentCallsOverTls_EachGetsItsOwnAnswer()
    {
        using var certs = TestCertificates.Create();
        await using var server = Start(ServerTls(certs));
        await using var connection = await DialAsync(server.EndPoint, Trusting(certs), "localhost");
        var big = new byte[300_000];
        new Random(3).NextBytes(big);

        var calls = Enumerable.Range(0, 50).Select(i => connection.CallAsync(Echo,
            i == 7 ? big : Encoding.UTF8.GetBytes($"call {i}"), Rpc.Deadline, CancellationToken.None)).ToArray();
        var answers = await Task.WhenAll(calls);

        for (int i = 0; i < answers.Length; i++)
        {
            if (i == 7) await Assert.That(answers[i].SequenceEqual(big)).IsTrue();
            else await Assert.That(Encoding.UTF8.GetString(answers[i])).IsEqualTo($"call {i}");
        }
    }

    [Test]
    public async Task ConnectAsync_PlainClientOnTlsListener_FailsFastSayingTlsIsRequired()
    {
        using var certs = TestCertificates.Create();
        await using var server = Start(ServerTls(certs));
        var clock = Stopwatch.StartNew();

        var error = await Rpc.Catch<RpcException>(() => DialAsync(server.EndPoint, tls: null));

        await Assert.That(clock.Elapsed).IsLessThan(FailFast);
        await Assert.That(error.Message).Contains("requires TLS");
        await Assert.That(server.Service.Statistics.ConnectionsAccepted).IsEqualTo(0);
    }

    [Test]
    public async Task ConnectAsync_TlsClientOnPlainListener_FailsFastWithHandshakeFailed()
    {
        using var certs = TestCertificates.Create();
        await using var server = Start(tls: null);
        var clock = Stopwatch.StartNew();

        var error = await Rpc.Catch<RpcException>(() => DialAsync(server.EndPoint, Trusting(certs)));

        await Assert.That(clock.Elapsed).IsLessThan(FailFast);
        await Assert.That(error.Status).IsEqualTo(RpcStatus.Unavailable);
        await Assert.That(error.Message).Contains($"cannot connect to {server.EndPoint}: TLS handshake failed");
    }

    [Test]
    public async Task ConnectAsync_UntrustedCertificate_FailsVerification()
    {
        using var certs = TestCertificates.Create();
        await using var server = Start(ServerTls(certs));

        var error = await Rpc.Catch<RpcException>(() => DialAsync(server.EndPoint, new RpcClientTls()));

        await Assert.That(error.Message).Contains("TLS handshake failed");
        await Assert.That(server.Service.Statistics.ConnectionsAccepted).IsEqualTo(0);
    }

    [Test]
    public async Task ConnectAsync_UntrustedCertificateWithSkipVerify_Answers()
    {
        using var certs = TestCertificates.Create();
        await using var server = Start(ServerTls(certs));
        await using var connection = await DialAsync(server.EndPoint, new RpcClientTls { SkipVerify = true }, "not-the-name.invalid");

        var answer = await connection.CallAsync(Echo, "insecure"u8.ToArray(), Rpc.Deadline, CancellationToken.None);

        await Assert.That(Encoding.UTF8.GetString(answer)).IsEqualTo("insecure");
    }

    [Test]
    public async Task ConnectAsync_TrustedCertificateForAnotherName_FailsVerification()
    {
        using var certs = TestCertificates.Create();
        await using var server = Start(ServerTls(certs));

        var error = await Rpc.Catch<RpcException>(() => DialAsync(server.EndPoint, Trusting(certs), "data-7.example.com"));

        await Assert.That(error.Message).Contains("TLS handshake failed");
    }

    [Test]
    public async Task ConnectAsync_ClientMaxBelowServerMin_FailsHandshake()
    {
        using var certs = TestCertificates.Create();
        await using var server = Start(ServerTls(certs, SslProtocols.Tls13));

        var error = await Rpc.Catch<RpcException>(() => DialAsync(server.EndPoint, Trusting(certs, SslProtocols.Tls12)));
        await using var tls13 = await DialAsync(server.EndPoint, Trusting(certs, SslProtocols.Tls12 | SslProtocols.Tls13));

        await Assert.That(error.Message).Contains("TLS handshake failed");
        await Assert.That(tls13.IsOpen).IsTrue();
    }

    [Test]
    public async Task ForRpcServer_BundleWithoutKeyFile_LoadsTheKeyFromTheCertificateFile()
    {
        using var certs = TestCertificates.Create();
        var config = new CairnConfig();
        config.Cluster.HttpsEnabled = true;
        config.Cluster.HttpsCertificate = certs.BundlePath;
        config.Cluster.HttpsPrivateKey = "";

        var tls = TlsSettings.ForRpcServer(config)!;
        await using var server = Start(tls);
        await using var connection = await DialAsync(server.EndPoint, Trusting(certs));

        await Assert.That(tls.Certificate.HasPrivateKey).IsTrue();
        await Assert.That(tls.Certificate.Subject).IsEqualTo("CN=localhost");
        await Assert.That(connection.IsOpen).IsTrue();
    }

    [Test]
    public async Task ForRpcServer_Disabled_IsNull()
    {
        var config = new CairnConfig();
        config.Cluster.HttpsCertificate = "/nonexistent.pem";
        await Assert.That(TlsSettings.ForRpcServer(config)).IsNull();
        await Assert.That(TlsSettings.ForDataClient(config)).IsNull();
        await Assert.That(TlsSettings.ForMetaClient(config)).IsNull();
    }

    [Test]
    public async Task ForRpcServer_EnabledWithoutCertificate_NamesTheKey()
    {
        var config = new CairnConfig();
        config.Cluster.HttpsEnabled = true;

        var error = await Rpc.Catch<TlsConfigurationException>(() => Task.FromResult(TlsSettings.ForRpcServer(config)));

        await Assert.That(error.Message).IsEqualTo("[cluster] https-certificate is empty: TLS needs a certificate");
    }

    [Test]
    public async Task ForRpcServer_MissingCertificateFile_NamesKeyAndFile()
    {
        var config = new CairnConfig();
        config.Cluster.HttpsEnabled = true;
        config.Cluster.HttpsCertificate = "/nonexistent/cairn-rpc.pem";

        var error = await Rpc.Catch<TlsConfigurationException>(() => Task.FromResult(TlsSettings.ForRpcServer(config)));

        await Assert.That(error.Message).IsEqualTo("[cluster] https-certificate \"/nonexistent/cairn-rpc.pem\": no such file");
    }

    [Test]
    public async Task ForRpcServer_CertificateWithoutKey_NamesKeyAndFile()
    {
        using var certs = TestCertificates.Create();
        var config = new CairnConfig();
        config.Cluster.HttpsEnabled = true;
        config.Cluster.HttpsCertificate = certs.CertificatePath;

        var error = await Rpc.Catch<TlsConfigurationException>(() => Task.FromResult(TlsSettings.ForRpcServer(config)));

        await Assert.That(error.Message).StartsWith($"[cluster] https-certificate \"{certs.CertificatePath}\" (no [cluster] https-private-key");
    }

    [Test]
    public async Task ForRpcServer_KeyOfAnotherCertificate_NamesBothFiles()
    {
        using var certs = TestCertificates.Create();
        using var other = TestCertificates.Create();
        var config = new CairnConfig();
        config.Cluster.HttpsEnabled = true;
        config.Cluster.HttpsCertificate = certs.CertificatePath;
        config.Cluster.HttpsPrivateKey = other.KeyPath;

        var error = await Rpc.Catch<TlsConfigurationException>(() => Task.FromResult(TlsSettings.ForRpcServer(config)));

        await Assert.That(error.Message).StartsWith(
            $"[cluster] https-certificate \"{certs.CertificatePath}\" with [cluster] https-private-key \"{other.KeyPath}\": ");
    }

    [Test]
    public async Task ForRpcServer_GarbageCertificateFile_NamesKeyAndFile()
    {
        using var garbage = new TempFile("not a certificate", ".pem");
        var config = new CairnConfig();
        config.Cluster.HttpsEnabled = true;
        config.Cluster.HttpsCertificate = garbage.Path;

        var error = await Rpc.Catch<TlsConfigurationException>(() => Task.FromResult(TlsSettings.ForRpcServer(config)));

        await Assert.That(error.Message).StartsWith($"[cluster] https-certificate \"{garbage.Path}\"");
    }

    [Test]
    public async Task ForMetaClient_DataUseTls_FollowsDataInsecureTls()
    {
        var config = new CairnConfig();
        config.Meta.DataUseTls = true;
        config.Meta.DataInsecureTls = true;
        config.Cluster.HttpsInsecureTls = false;

        var meta = TlsSettings.ForMetaClient(config);

        await Assert.That(meta).IsNotNull();
        await Assert.That(meta!.SkipVerify).IsTrue();
        await Assert.That(TlsSettings.ForDataClient(config)).IsNull();
    }

#pragma warning disable SYSLIB0039 // the test names the obsolete versions on purpose
    [Test]
    [Arguments("", "", SslProtocols.None)]
    [Arguments("tls1.2", "", SslProtocols.Tls12 | SslProtocols.Tls13)]
    [Arguments("tls1.3", "tls1.3", SslProtocols.Tls13)]
    [Arguments("TLS1.0", "tls1.1", SslProtocols.Tls | SslProtocols.Tls11)]
    [Arguments("", "tls1.2", SslProtocols.Tls | SslProtocols.Tls11 | SslProtocols.Tls12)]
    public async Task Protocols_MinAndMaxVersion_EnableTheRangeBetween(string min, string max, SslProtocols expected)
    {
        var tls = new TlsSection { MinVersion = min, MaxVersion = max };
        await Assert.That(TlsSettings.Protocols(tls)).IsEqualTo(expected);
    }
#pragma warning restore SYSLIB0039

    [Test]
    public async Task Protocols_MinAboveMax_IsAnError()
    {
        var tls = new TlsSection { MinVersion = "tls1.3", MaxVersion = "tls1.2" };
        var error = await Rpc.Catch<TlsConfigurationException>(() => Task.FromResult(TlsSettings.Protocols(tls)));
        await Assert.That(error.Message).IsEqualTo("[tls] min-version \"tls1.3\" is above max-version \"tls1.2\"");
    }

    [Test]
    public async Task Load_UnknownTlsVersion_IsAConfigError()
    {
        var loaded = ConfigLoader.LoadText("[tls]\nmin-version = \"ssl3\"\nmax-version = \"tls1.3\"\n");
        await Assert.That(loaded.Diagnostics.Errors.Count).IsEqualTo(1);
        await Assert.That(loaded.Diagnostics.Errors[0]).StartsWith("[tls] min-version = \"ssl3\"");
        await Assert.That(loaded.Config.Tls.MaxVersion).IsEqualTo("tls1.3");
    }

    [Test]
    public async Task Ciphers_KnownNames_BuildAPolicy_UnknownNameIsAnError()
    {
        var good = new TlsSection { Ciphers = ["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256"] };
        var bad = new TlsSection { Ciphers = ["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_MADE_UP"] };

        var policy = TlsSettings.Ciphers(good);
        var error = await Rpc.Catch<TlsConfigurationException>(() => Task.FromResult(TlsSettings.Ciphers(bad)));

        await Assert.That(policy).IsNotNull();
        await Assert.That(TlsSettings.Ciphers(new TlsSection())).IsNull();
        await Assert.That(error.Message).StartsWith("[tls] ciphers \"TLS_MADE_UP\": unknown cipher suite");
    }

    [Test]
    public async Task CallAsync_ServerRestrictedToOneCipher_AnswersAClientOfferingIt()
    {
        using var certs = TestCertificates.Create();
        var policy = TlsSettings.Ciphers(new TlsSection { Ciphers = ["TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"] });
        var (certificate, chain) = TlsSettings.LoadCertificate("c", certs.CertificatePath, "k", certs.KeyPath);
        await using var server = Start(new TlsServerSettings(certificate, chain, SslProtocols.Tls12, policy));
        await using var connection = await DialAsync(server.EndPoint, Trusting(certs, SslProtocols.Tls12));

        var answer = await connection.CallAsync(Echo, "cipher"u8.ToArray(), Rpc.Deadline, CancellationToken.None);

        await Assert.That(Encoding.UTF8.GetString(answer)).IsEqualTo("cipher");
    }

    [Test]
    [Arguments("127.0.0.1:8088", "127.0.0.1")]
    [Arguments("data-1.example.com:8088", "data-1.example.com")]
    [Arguments("[::1]:8088", "::1")]
    [Arguments(":8088", "localhost")]
    public async Task HostOf_DataNodeAddress_IsItsHostPart(string address, string expected)
    {
        await Assert.That(RpcClientTls.HostOf(address)).IsEqualTo(expected);
    }
}
