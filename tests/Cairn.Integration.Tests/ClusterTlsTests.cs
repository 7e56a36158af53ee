using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Cairn.Common.Tests.Rpc;

namespace Cairn.Integration.Tests;

/// <summary>
/// Issue 6 item 1, TLS on the cluster RPC port: data nodes with <c>[cluster] https-enabled</c> and meta nodes with
/// <c>[meta] data-use-tls</c> form a cluster and replicate writes over TLS, certificates checked against a test CA
/// (SSL_CERT_FILE); the port refuses a plain RPC client; a bad certificate setting stops a node at startup.
/// </summary>
[NotInParallel("cluster")]
public class ClusterTlsTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(30);
    private const long Base = 1_700_000_000_000_000_000;
    private const byte ClusterService = 2;

    [Test]
    public async Task Rf2OverTls_WriteThroughOneNode_ReadableThroughTheOther_PlainRpcClientRefused()
    {
        using var certs = TestCertificates.Create();
        var sections = $"""
            [cluster]
            https-enabled = true
            https-certificate = "{certs.CertificatePath}"
            https-private-key = "{certs.KeyPath}"
            """;
        var environment = new Dictionary<string, string> { ["SSL_CERT_FILE"] = certs.CaPath };
        await using var c = await ClusterHarness.StartAsync(meta: 3, data: 2, metaExtra: "data-use-tls = true", dataSections: sections,
            environment: environment);
        // add-data: the meta leader probes and joins each data node over TLS (MetaControl).
        await c.FormAsync();
        var (d1, d2) = (c.Data[0], c.Data[1]);
        await ClusterHarness.QueryAsync(d1, "CREATE DATABASE db WITH REPLICATION 2");
        foreach (var d in c.Data) await ClusterHarness.EventuallyAsync(d, "SHOW DATABASES", ["\"db\""], Within);

        var body = new StringBuilder();
        const int points = 60;
        for (int i = 0; i < points; i++) body.Append($"cpu,host=h{i % 12} v={i} {Base + i * 1_000_000_000L}\n");
        using (var http = d1.Client)
        {
            var response = await http.PostAsync("/write?db=db", new StringContent(body.ToString()));
            await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.NoContent).Because(await response.Content.ReadAsStringAsync());
        }

        // d2 owns every shard too (RF 2 on 2 nodes): its copy came from d1 over the TLS RPC port.
        await ClusterHarness.EventuallyAsync(d2, "SELECT count(v), sum(v) FROM db..cpu",
            [$"\"values\":[[\"1970-01-01T00:00:00Z\",{points},{points * (points - 1) / 2}]]"], Within);
        var vars = await ClusterWriteTests.DebugVarsAsync(d1);
        await Assert.That(ClusterWriteTests.Sum(vars, "rpc_peer", "rpcWriteBytes")).IsGreaterThan(0);
        await Assert.That(ClusterWriteTests.Sum(vars, "rpc_peer", "rpcReadBytes")).IsGreaterThan(0);
        await Assert.That(ClusterWriteTests.Value(vars, "write", "pointReqRemote")).IsGreaterThan(0);

        // The same port, dialled without TLS, answers the handshake's refusal at once.
        var clock = Stopwatch.StartNew();
        var (status, message) = await PlainHandshakeAsync(d2.Tcp);
        await Assert.That(clock.Elapsed).IsLessThan(TimeSpan.FromSeconds(5));
        await Assert.That(status).IsNotEqualTo(0).Because(message);
        await Assert.That(message).Contains("requires TLS");
        await Assert.That(await d2.Process!.StderrEventuallyContainsAsync("this port requires TLS", Within)).IsTrue();
    }

    [Test]
    public async Task HttpsEnabledWithMissingCertificate_DataNodeExitsNamingKeyAndFile()
    {
        await using var c = await ClusterHarness.CreateAsync();
        var missing = c.Sandbox.PathOf("missing-rpc.pem");
        var node = c.AddData("d1", sections: $"[cluster]\nhttps-enabled = true\nhttps-certificate = \"{missing}\"");
        node.Process = c.Sandbox.Run(["--config", node.ConfigPath]);

        int code = await node.Process.WaitForExitAsync(Within);

        await Assert.That(code).IsEqualTo(1);
        // The log line may escape the quotes (logfmt), so look for the parts.
        var error = node.Process.Stderr.Split('\n').FirstOrDefault(l => l.Contains("[cluster] https-certificate", StringComparison.Ordinal)) ?? "";
        await Assert.That(error).Contains(missing).Because(node.Process.Stderr);
        await Assert.That(error).Contains("no such file").Because(node.Process.Stderr);
        await Assert.That(node.Process.StdoutLines.Any(l => l.StartsWith("READY", StringComparison.Ordinal))).IsFalse();
    }

    /// <summary>
    /// The client half of the RPC handshake by hand, without TLS: service byte, read the nonce, answer a proof, read the
    /// handshake's frame. Returns its status and message (status -1 when the server closed without one).
    /// </summary>
    private static async Task<(int Status, string Message)> PlainHandshakeAsync(string address)
    {
        var endPoint = IPEndPoint.Parse(address);
        using var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.ConnectAsync(endPoint, timeout.Token);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        await stream.WriteAsync(new[] { ClusterService }, timeout.Token);
        var nonce = new byte[32];
        if (await stream.ReadAtLeastAsync(nonce, nonce.Length, throwOnEndOfStream: false, timeout.Token) < nonce.Length) return (-1, "closed before the nonce");
        await stream.WriteAsync(HMACSHA256.HashData([], [.. nonce, ClusterService]), timeout.Token);
        var header = new byte[22];
        if (await stream.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, timeout.Token) < header.Length) return (-1, "closed before the frame");
        int payloadLength = (int)BinaryPrimitives.ReadUInt32BigEndian(header) - 18;
        int status = BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(14));
        var payload = new byte[Math.Clamp(payloadLength, 0, 1 << 16)];
        int read = await stream.ReadAtLeastAsync(payload, payload.Length, throwOnEndOfStream: false, timeout.Token);
        return (status, Encoding.UTF8.GetString(payload, 0, read));
    }
}
