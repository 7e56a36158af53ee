using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Cairn.Meta.Ctl;

namespace Cairn.Meta.Tests.Ctl;

/// <summary>Each command against a fake meta node on 127.0.0.1: the request it sends and the text it prints.</summary>
public class CtlCommandTests
{
    [Test]
    public async Task AddData_PostsFormAndPrintsTheNode()
    {
        await using var meta = new FakeMetaNode(_ => FakeResponse.Json("""{"id":4,"addr":"d1:8086","tcpAddr":"d1:8088"}"""));
        var run = await CtlRun.RunAsync("-bind", meta.Address, "add-data", "d1:8088");
        await Assert.That(run.ExitCode).IsEqualTo(0).Because(run.Stderr);
        await Assert.That(run.Stdout).IsEqualTo("Added data node 4 at d1:8088\n");
        var request = meta.Requests.Single();
        await Assert.That(request.Method).IsEqualTo("POST");
        await Assert.That(request.Path).IsEqualTo("/add-data");
        await Assert.That(request.Header("content-type")).StartsWith("application/x-www-form-urlencoded");
        await Assert.That(request.Form()["addr"]).IsEqualTo("d1:8088");
        await Assert.That(request.Header("authorization")).IsNull();
    }

    [Test]
    public async Task AddMeta_UpdateData_TruncateShards_PrintInfluxdCtlLines()
    {
        await using var meta = new FakeMetaNode(r => r.Path switch
        {
            "/add-meta" => FakeResponse.Json("""{"id":3,"addr":"m3:8091","tcpAddr":"m3:8089"}"""),
            "/update-data" => FakeResponse.Json("""{"id":26,"addr":"n:8086","tcpAddr":"new:8088"}"""),
            "/truncate-shards" => FakeResponse.Json("{}"),
            _ => FakeResponse.Error(404, "not found"),
        });
        var addMeta = await CtlRun.RunAsync("-bind", meta.Address, "add-meta", "m3:8091");
        await Assert.That(addMeta.Stdout).IsEqualTo("Added meta node 3 at m3:8091\n");
        var update = await CtlRun.RunAsync("-bind", meta.Address, "update-data", "old:8088", "new:8088");
        await Assert.That(update.Stdout).IsEqualTo("updated data node 26 to new:8088\n");
        var truncate = await CtlRun.RunAsync("-bind", meta.Address, "truncate-shards");
        await Assert.That(truncate.Stdout).IsEqualTo("Truncated shards.\n");
        var truncateSoon = await CtlRun.RunAsync("-bind", meta.Address, "truncate-shards", "-delay", "30s");
        await Assert.That(truncateSoon.ExitCode).IsEqualTo(0);

        var requests = meta.Requests.ToArray();
        await Assert.That(requests[0].Form()["addr"]).IsEqualTo("m3:8091");
        await Assert.That(requests[1].Form()["oldAddr"]).IsEqualTo("old:8088");
        await Assert.That(requests[1].Form()["newAddr"]).IsEqualTo("new:8088");
        await Assert.That(requests[2].Form()["delay"]).IsEqualTo("1m0s");
        await Assert.That(requests[3].Form()["delay"]).IsEqualTo("30s");
    }

    [Test]
    public async Task Show_CombinesShowClusterAndStatus()
    {
        await using var meta = new FakeMetaNode(r => r.Path switch
        {
            "/show-cluster" => FakeResponse.Json(ListingTests.ShowClusterJson),
            "/status" => FakeResponse.Json(ListingTests.StatusJson),
            _ => FakeResponse.Error(404, "not found"),
        });
        var run = await CtlRun.RunAsync("-bind", meta.Address, "show");
        await Assert.That(run.ExitCode).IsEqualTo(0).Because(run.Stderr);
        await Assert.That(run.Stdout).IsEqualTo(ListingTests.ShowText.ReplaceLineEndings("\n"));
        await Assert.That(meta.Requests.All(r => r.Method == "GET")).IsTrue();
    }

    [Test]
    public async Task ShowShards_VerboseFlag_AsksForVerbose()
    {
        await using var meta = new FakeMetaNode(_ => FakeResponse.Json(ListingTests.ShowShardsJson));
        var plain = await CtlRun.RunAsync("-bind", meta.Address, "show-shards");
        await Assert.That(plain.Stdout).IsEqualTo(ListingTests.ShowShardsText);
        var verbose = await CtlRun.RunAsync("-bind", meta.Address, "show-shards", "-v");
        await Assert.That(verbose.ExitCode).IsEqualTo(0);
        var targets = meta.Requests.Select(r => r.Target).ToArray();
        await Assert.That(targets[0]).IsEqualTo("/show-shards");
        await Assert.That(targets[1]).IsEqualTo("/show-shards?verbose=true");
    }

    [Test]
    public async Task ServerError_PrintsOperationExitedWithTheServersMessage()
    {
        await using var meta = new FakeMetaNode(_ => FakeResponse.Error(400, "licence allows at most 1 data nodes; the cluster has 1"));
        var run = await CtlRun.RunAsync("-bind", meta.Address, "add-data", "d2:8088");
        await Assert.That(run.ExitCode).IsEqualTo(1);
        await Assert.That(run.Stdout).IsEqualTo("");
        await Assert.That(run.Stderr).IsEqualTo("add-data: operation exited with error: licence allows at most 1 data nodes; the cluster has 1\n");
    }

    [Test]
    public async Task ServerErrorWithoutJson_PrintsStatusAndBody()
    {
        await using var meta = new FakeMetaNode(_ => new FakeResponse(500, "boom"));
        var run = await CtlRun.RunAsync("-bind", meta.Address, "show");
        await Assert.That(run.ExitCode).IsEqualTo(1);
        await Assert.That(run.Stderr).IsEqualTo("show: operation exited with error: 500 Internal Server Error: boom\n");
    }

    [Test]
    public async Task Unauthorized_PrintsInfluxdCtlErrorLine()
    {
        await using var meta = new FakeMetaNode(_ => FakeResponse.Error(401, "authorization failed"));
        var run = await CtlRun.RunAsync("-bind", meta.Address, "-auth-type", "basic", "-user", "u", "-pwd", "bad", "show");
        await Assert.That(run.ExitCode).IsEqualTo(1);
        await Assert.That(run.Stderr).IsEqualTo("Error: authorization failed.\n");
    }

    [Test]
    public async Task UnreachableMetaNode_ConnectionRefusedMessage()
    {
        int port = CtlRun.ClosedPort();
        var run = await CtlRun.RunAsync("-bind", $"127.0.0.1:{port}", "add-data", "d1:8088");
        await Assert.That(run.ExitCode).IsEqualTo(1);
        await Assert.That(run.Stderr).IsEqualTo($"add-data: unable to connect to meta node at http://127.0.0.1:{port}: connection refused\n");
    }

    [Test]
    public async Task SilentMetaNode_TimesOutAfterTimeoutFlag()
    {
        await using var meta = new FakeMetaNode(_ => new FakeResponse(200, Hang: true));
        var started = System.Diagnostics.Stopwatch.StartNew();
        var run = await CtlRun.RunAsync("-bind", meta.Address, "-timeout", "300ms", "show");
        await Assert.That(run.ExitCode).IsEqualTo(1);
        await Assert.That(run.Stderr).IsEqualTo($"show: operation timed out with error: no answer from meta node at http://{meta.Address} within 300ms\n");
        await Assert.That(started.Elapsed).IsLessThan(TimeSpan.FromSeconds(5));
    }

    [Test]
    public async Task UnexpectedSuccessBody_IsReportedNotPrinted()
    {
        await using var meta = new FakeMetaNode(_ => FakeResponse.Json("<html>"));
        var run = await CtlRun.RunAsync("-bind", meta.Address, "show-shards");
        await Assert.That(run.ExitCode).IsEqualTo(1);
        await Assert.That(run.Stderr).StartsWith("show-shards: operation exited with error: unexpected answer from meta node");
    }

    // ---- Redirects and credentials ---------------------------------------------------------

    [Test]
    public async Task Follower307_ResendsMethodBodyAndBasicAuthToTheLeader()
    {
        await using var leader = new FakeMetaNode(_ => FakeResponse.Json("""{"id":7,"addr":"d9:8086","tcpAddr":"d9:8088"}"""));
        await using var follower = new FakeMetaNode(r => new FakeResponse(307, Location: $"http://{leader.Address}{r.Target}"));
        var run = await CtlRun.RunAsync("-bind", follower.Address, "-auth-type", "basic", "-user", "admin", "-pwd", "s3cr:t", "add-data", "d9:8088");
        await Assert.That(run.ExitCode).IsEqualTo(0).Because(run.Stderr);
        await Assert.That(run.Stdout).IsEqualTo("Added data node 7 at d9:8088\n");
        var expectedAuth = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:s3cr:t"));
        var first = follower.Requests.Single();
        var second = leader.Requests.Single();
        await Assert.That(first.Header("authorization")).IsEqualTo(expectedAuth);
        await Assert.That(second.Method).IsEqualTo("POST");
        await Assert.That(second.Path).IsEqualTo("/add-data");
        await Assert.That(second.Body).IsEqualTo(first.Body);
        await Assert.That(second.Form()["addr"]).IsEqualTo("d9:8088");
        await Assert.That(second.Header("authorization")).IsEqualTo(expectedAuth);
    }

    [Test]
    public async Task RelativeLocation_ResolvedAgainstTheRedirectingNode()
    {
        await using var meta = new FakeMetaNode(r => r.Path == "/remove-data"
            ? new FakeResponse(307, Location: "/moved-remove-data")
            : FakeResponse.Json("{}"));
        var run = await CtlRun.RunAsync("-bind", meta.Address, "remove-data", "-y", "-force", "d1:8088");
        await Assert.That(run.ExitCode).IsEqualTo(0).Because(run.Stderr);
        await Assert.That(run.Stdout).IsEqualTo("Removed data node at d1:8088\n");
        var requests = meta.Requests.ToArray();
        await Assert.That(requests[1].Path).IsEqualTo("/moved-remove-data");
        await Assert.That(requests[1].Form()["force"]).IsEqualTo("true");
        await Assert.That(requests[1].Form()["addr"]).IsEqualTo("d1:8088");
    }

    [Test]
    public async Task RedirectLoop_StopsAfterFiveHops()
    {
        await using var meta = new FakeMetaNode(r => new FakeResponse(307, Location: $"http://127.0.0.1:{r.Header("host")!.Split(':')[1]}{r.Target}"));
        var run = await CtlRun.RunAsync("-bind", meta.Address, "truncate-shards");
        await Assert.That(run.ExitCode).IsEqualTo(1);
        await Assert.That(run.Stderr).StartsWith("truncate-shards: operation exited with error: more than 5 redirects");
        await Assert.That(meta.Requests.Count).IsEqualTo(1 + MetaApiClient.MaxRedirects);
    }

    [Test]
    public async Task JwtAuth_SendsAFreshValidBearerTokenOnEveryHop()
    {
        var now = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        await using var leader = new FakeMetaNode(_ => FakeResponse.Json("{}"));
        await using var follower = new FakeMetaNode(r => new FakeResponse(307, Location: $"http://{leader.Address}{r.Target}"));
        var run = await CtlRun.RunWithAsync("", null, new FixedTime(now), "-bind", follower.Address, "-auth-type", "jwt", "-user", "admin", "-secret", "shh", "truncate-shards");
        await Assert.That(run.ExitCode).IsEqualTo(0).Because(run.Stderr);
        foreach (var request in new[] { follower.Requests.Single(), leader.Requests.Single() })
        {
            var header = request.Header("authorization")!;
            await Assert.That(header).StartsWith("Bearer ");
            var claims = Jwt.Verify(header["Bearer ".Length..], "shh");
            await Assert.That(claims.GetProperty("username").GetString()).IsEqualTo("admin");
            await Assert.That(claims.GetProperty("exp").GetInt64()).IsEqualTo(now.AddMinutes(1).ToUnixTimeSeconds());
        }
    }

    [Test]
    public async Task BindTls_WithK_TalksHttpsToASelfSignedNode()
    {
        using var certificate = SelfSigned();
        await using var meta = new FakeMetaNode(_ => FakeResponse.Json(ListingTests.ShowShardsJson), certificate);
        var run = await CtlRun.RunAsync("-bind", meta.Address, "-bind-tls", "-k", "show-shards");
        await Assert.That(run.ExitCode).IsEqualTo(0).Because(run.Stderr);
        await Assert.That(run.Stdout).IsEqualTo(ListingTests.ShowShardsText);
    }

    [Test]
    public async Task BindTls_WithoutK_RefusesAnUntrustedCertificate()
    {
        using var certificate = SelfSigned();
        await using var meta = new FakeMetaNode(_ => FakeResponse.Json("[]"), certificate);
        var run = await CtlRun.RunAsync("-bind", meta.Address, "-bind-tls", "show-shards");
        await Assert.That(run.ExitCode).IsEqualTo(1);
        await Assert.That(run.Stderr).StartsWith($"show-shards: unable to connect to meta node at https://{meta.Address}: TLS handshake failed: ");
        await Assert.That(meta.Requests.Count).IsEqualTo(0);
    }

    private static System.Security.Cryptography.X509Certificates.X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var names = new System.Security.Cryptography.X509Certificates.SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
    }

    // ---- token -----------------------------------------------------------------------------

    [Test]
    public async Task Token_Jwt_PrintsHs512TokenSignedWithTheSecret()
    {
        var now = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        var run = await CtlRun.RunWithAsync("", null, new FixedTime(now), "-auth-type", "jwt", "-user", "admin", "-secret", "s3cret", "token", "-exp", "2h");
        await Assert.That(run.ExitCode).IsEqualTo(0).Because(run.Stderr);
        var token = run.Stdout.TrimEnd('\n');
        await Assert.That(run.Stdout).IsEqualTo(token + "\n");
        var claims = Jwt.Verify(token, "s3cret");
        await Assert.That(claims.GetProperty("username").GetString()).IsEqualTo("admin");
        await Assert.That(claims.GetProperty("exp").GetInt64()).IsEqualTo(now.AddHours(2).ToUnixTimeSeconds());
        await Assert.That(() => Jwt.Verify(token, "wrong")).Throws<InvalidOperationException>();

        var defaultExp = await CtlRun.RunWithAsync("", null, new FixedTime(now), "-auth-type", "jwt", "-user", "admin", "-secret", "s3cret", "token");
        var defaultClaims = Jwt.Verify(defaultExp.Stdout.TrimEnd('\n'), "s3cret");
        await Assert.That(defaultClaims.GetProperty("exp").GetInt64()).IsEqualTo(now.AddMinutes(1).ToUnixTimeSeconds());
    }

    [Test]
    public async Task Token_WithoutJwt_RefusesAsInfluxdCtl()
    {
        var run = await CtlRun.RunAsync("-auth-type", "basic", "-user", "admini", "-pwd", "mouse", "token");
        await Assert.That(run.ExitCode).IsEqualTo(1);
        await Assert.That(run.Stdout).IsEqualTo("");
        await Assert.That(run.Stderr).IsEqualTo("token: tokens can only be created when using bearer authentication\n");
    }

    // ---- prompts ---------------------------------------------------------------------------

    [Test]
    [Arguments("n\n")]
    [Arguments("\n")]
    [Arguments("yes\n")]
    [Arguments("")]
    public async Task RemoveMeta_AnswerNotY_AbortsWithoutARequest(string answer)
    {
        await using var meta = new FakeMetaNode(_ => FakeResponse.Json("{}"));
        var run = await CtlRun.RunWithAsync(answer, null, null, "-bind", meta.Address, "remove-meta", "m2:8091");
        await Assert.That(run.ExitCode).IsEqualTo(1);
        await Assert.That(run.Stdout).IsEqualTo("Remove m2:8091 from the cluster [y/N]: ");
        await Assert.That(run.Stderr).IsEqualTo("remove-meta: cancelled: the answer was not \"y\"\n");
        await Assert.That(meta.Requests.Count).IsEqualTo(0);
    }

    [Test]
    [Arguments("y\n")]
    [Arguments("Y\r\n")]
    public async Task RemoveMetaForce_AnswerY_SendsForceAndTcpAddr(string answer)
    {
        await using var meta = new FakeMetaNode(_ => FakeResponse.Json("{}"));
        var run = await CtlRun.RunWithAsync(answer, null, null, "-bind", meta.Address, "remove-meta", "-force", "-tcpAddr", "m2:8089", "m2:8091");
        await Assert.That(run.ExitCode).IsEqualTo(0).Because(run.Stderr);
        await Assert.That(run.Stdout).IsEqualTo("Force remove m2:8091 from the cluster [y/N]: \nRemoved meta node at m2:8091\n");
        var form = meta.Requests.Single().Form();
        await Assert.That(meta.Requests.Single().Path).IsEqualTo("/remove-meta");
        await Assert.That(form["httpAddr"]).IsEqualTo("m2:8091");
        await Assert.That(form["tcpAddr"]).IsEqualTo("m2:8089");
        await Assert.That(form["force"]).IsEqualTo("true");
    }

    [Test]
    public async Task RemoveData_DashY_DoesNotPrompt()
    {
        await using var meta = new FakeMetaNode(_ => FakeResponse.Json("{}"));
        var run = await CtlRun.RunWithAsync("", null, null, "-bind", meta.Address, "remove-data", "d1:8088", "-y");
        await Assert.That(run.ExitCode).IsEqualTo(0).Because(run.Stderr);
        await Assert.That(run.Stdout).IsEqualTo("Removed data node at d1:8088\n");
        var form = meta.Requests.Single().Form();
        await Assert.That(form["addr"]).IsEqualTo("d1:8088");
        await Assert.That(form.ContainsKey("force")).IsFalse();
    }

    [Test]
    public async Task RemoveData_AnswerN_Aborts()
    {
        await using var meta = new FakeMetaNode(_ => FakeResponse.Json("{}"));
        var run = await CtlRun.RunWithAsync("N\n", null, null, "-bind", meta.Address, "remove-data", "d1:8088");
        await Assert.That(run.ExitCode).IsEqualTo(1);
        await Assert.That(run.Stdout).IsEqualTo("Remove d1:8088 from the cluster [y/N]: ");
        await Assert.That(meta.Requests.Count).IsEqualTo(0);
    }
}

/// <summary>An independent check of an HS512 JWT: signature first, then the decoded claims.</summary>
internal static class Jwt
{
    public static JsonElement Verify(string token, string secret)
    {
        var parts = token.Split('.');
        if (parts.Length != 3) throw new InvalidOperationException("not a JWT");
        var header = JsonDocument.Parse(Decode(parts[0])).RootElement;
        if (header.GetProperty("alg").GetString() != "HS512") throw new InvalidOperationException("alg is not HS512");
        if (header.GetProperty("typ").GetString() != "JWT") throw new InvalidOperationException("typ is not JWT");
        var expected = HMACSHA512.HashData(Encoding.UTF8.GetBytes(secret), Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]));
        if (!CryptographicOperations.FixedTimeEquals(expected, Decode(parts[2]))) throw new InvalidOperationException("signature is invalid");
        return JsonDocument.Parse(Decode(parts[1])).RootElement;
    }

    private static byte[] Decode(string part)
    {
        var s = part.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + (4 - s.Length % 4) % 4, '='));
    }
}
