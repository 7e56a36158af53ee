using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace Cairn.Integration.Tests;

/// <summary><c>[http] auth-enabled</c> through the published binary: InfluxDB 1.x's statuses, headers and texts.</summary>
public class AuthTests
{
    private const string Secret = "jwt-shared-secret";

    private static async Task<(Sandbox Sandbox, string Http)> StartAsync()
    {
        var sandbox = new Sandbox();
        var license = await sandbox.ValidLicenseAsync();
        // LoopbackToml ends inside [http], so the auth keys come first and the licence section after them.
        string http = "auth-enabled = true\nrealm = \"Cairn\"\nshared-secret = \"" + Secret + "\"\n";
        var (_, ready) = await sandbox.StartAsync(sandbox.LoopbackToml(http + Sandbox.LicenseToml(license)));
        return (sandbox, ready["http"]);
    }

    private static async Task<(HttpStatusCode Status, string Body, HttpResponseMessage Response)> Send(HttpClient http, HttpMethod method, string uri,
        AuthenticationHeaderValue? auth = null, string? body = null)
    {
        using var request = new HttpRequestMessage(method, uri);
        if (auth is not null) request.Headers.Authorization = auth;
        if (body is not null) request.Content = new StringContent(body);
        var response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    private static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password)));

    private static string Jwt(string json)
    {
        static string B64(byte[] b) => Convert.ToBase64String(b).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        string head = B64("{\"alg\":\"HS256\",\"typ\":\"JWT\"}"u8.ToArray()) + "." + B64(Encoding.UTF8.GetBytes(json));
        return head + "." + B64(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.ASCII.GetBytes(head)));
    }

    private static string Q(string q) => "/query?q=" + Uri.EscapeDataString(q);

    [Test]
    public async Task AuthEnabled_FirstAdminBootstrap_ThenEveryEndpointNeedsCredentials()
    {
        var (sandbox, address) = await StartAsync();
        await using var _ = sandbox;
        using var http = Sandbox.Http(address);

        // No admin yet: anything but creating one is refused.
        var first = await Send(http, HttpMethod.Post, Q("SHOW DATABASES"));
        await Assert.That(first.Status).IsEqualTo(HttpStatusCode.Forbidden);
        await Assert.That(first.Body).IsEqualTo("{\"error\":\"error authorizing query: create admin user first or disable authentication\"}\n");
        var nonAdmin = await Send(http, HttpMethod.Post, Q("CREATE USER bob WITH PASSWORD 'pw'"));
        await Assert.That(nonAdmin.Status).IsEqualTo(HttpStatusCode.Forbidden);
        var admin = await Send(http, HttpMethod.Post, Q("CREATE USER admin WITH PASSWORD 'secret' WITH ALL PRIVILEGES"));
        await Assert.That(admin.Body).IsEqualTo("{\"results\":[{\"statement_id\":0}]}\n");

        // Now every endpoint but /ping and /health refuses without credentials.
        foreach (var (method, uri) in new[] { (HttpMethod.Post, Q("SHOW DATABASES")), (HttpMethod.Get, Q("SHOW DATABASES")),
            (HttpMethod.Post, "/write?db=db0"), (HttpMethod.Get, "/debug/vars") })
        {
            var refused = await Send(http, method, uri, body: method == HttpMethod.Post ? "cpu value=1" : null);
            await Assert.That(refused.Status).IsEqualTo(HttpStatusCode.Unauthorized).Because(uri);
            await Assert.That(refused.Body).IsEqualTo("{\"error\":\"unable to parse authentication credentials\"}\n");
            await Assert.That(refused.Response.Headers.WwwAuthenticate.ToString()).IsEqualTo("Basic realm=\"Cairn\"");
        }
        await Assert.That((await Send(http, HttpMethod.Get, "/ping")).Status).IsEqualTo(HttpStatusCode.NoContent);
        await Assert.That((await Send(http, HttpMethod.Get, "/health")).Status).IsEqualTo(HttpStatusCode.OK);

        var wrong = await Send(http, HttpMethod.Post, Q("SHOW DATABASES"), Basic("admin", "nope"));
        await Assert.That(wrong.Status).IsEqualTo(HttpStatusCode.Unauthorized);
        await Assert.That(wrong.Body).IsEqualTo("{\"error\":\"authorization failed\"}\n");

        // Each way of sending credentials works.
        await Assert.That((await Send(http, HttpMethod.Post, Q("CREATE DATABASE db0"), Basic("admin", "secret"))).Status).IsEqualTo(HttpStatusCode.OK);
        await Assert.That((await Send(http, HttpMethod.Post, Q("SHOW DATABASES") + "&u=admin&p=secret")).Body).Contains("db0");
        await Assert.That((await Send(http, HttpMethod.Post, Q("SHOW DATABASES"), new AuthenticationHeaderValue("Token", "admin:secret"))).Body).Contains("db0");
        await Assert.That((await Send(http, HttpMethod.Get, "/debug/vars", Basic("admin", "secret"))).Status).IsEqualTo(HttpStatusCode.OK);
        await Assert.That((await Send(http, HttpMethod.Post, "/write?db=db0&u=admin&p=secret", body: "cpu value=1")).Status).IsEqualTo(HttpStatusCode.NoContent);
    }

    [Test]
    public async Task Reader_CannotWriteOrReadOtherDatabases()
    {
        var (sandbox, address) = await StartAsync();
        await using var _ = sandbox;
        using var http = Sandbox.Http(address);
        var admin = Basic("admin", "secret");
        await Send(http, HttpMethod.Post, Q("CREATE USER admin WITH PASSWORD 'secret' WITH ALL PRIVILEGES"));
        var setup = await Send(http, HttpMethod.Post,
            Q("CREATE DATABASE db0; CREATE DATABASE db1; CREATE USER reader WITH PASSWORD 'r'; GRANT READ ON db0 TO reader"), admin);
        await Assert.That(setup.Body).DoesNotContain("error");
        var reader = Basic("reader", "r");

        var write = await Send(http, HttpMethod.Post, "/write?db=db0", reader, "cpu value=1");
        await Assert.That(write.Status).IsEqualTo(HttpStatusCode.Forbidden);
        await Assert.That(write.Body).IsEqualTo("{\"error\":\"\\\"reader\\\" user is not authorized to write to database \\\"db0\\\"\"}\n");

        var other = await Send(http, HttpMethod.Post, Q("SHOW MEASUREMENTS ON db1"), reader);
        await Assert.That(other.Status).IsEqualTo(HttpStatusCode.Forbidden);
        await Assert.That(other.Body).IsEqualTo(
            "{\"error\":\"error authorizing query: reader not authorized to execute statement 'SHOW MEASUREMENTS ON db1', requires READ on db1\"}\n");
        var own = await Send(http, HttpMethod.Post, Q("SHOW MEASUREMENTS ON db0"), reader);
        await Assert.That(own.Status).IsEqualTo(HttpStatusCode.OK);

        var adminOnly = await Send(http, HttpMethod.Post, Q("CREATE DATABASE db2"), reader);
        await Assert.That(adminOnly.Status).IsEqualTo(HttpStatusCode.Forbidden);
        await Assert.That(adminOnly.Body).Contains("requires admin privilege");

        // SHOW DATABASES lists only what the reader may use.
        var dbs = await Send(http, HttpMethod.Post, Q("SHOW DATABASES"), reader);
        await Assert.That(dbs.Body).IsEqualTo("{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"databases\",\"columns\":[\"name\"],\"values\":[[\"db0\"]]}]}]}\n");

        await Send(http, HttpMethod.Post, Q("GRANT WRITE ON db0 TO reader"), admin);
        await Assert.That((await Send(http, HttpMethod.Post, "/write?db=db0", reader, "cpu value=1")).Status).IsEqualTo(HttpStatusCode.NoContent);
    }

    [Test]
    public async Task Jwt_SignedWithSharedSecret_Authenticates()
    {
        var (sandbox, address) = await StartAsync();
        await using var _ = sandbox;
        using var http = Sandbox.Http(address);
        await Send(http, HttpMethod.Post, Q("CREATE USER admin WITH PASSWORD 'secret' WITH ALL PRIVILEGES"));
        long exp = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds();

        var ok = await Send(http, HttpMethod.Post, Q("SHOW USERS"), new AuthenticationHeaderValue("Bearer", Jwt($"{{\"username\":\"admin\",\"exp\":{exp}}}")));
        await Assert.That(ok.Status).IsEqualTo(HttpStatusCode.OK);
        await Assert.That(ok.Body).Contains("[\"admin\",true]");

        async Task Refused(string token, string error)
        {
            var r = await Send(http, HttpMethod.Post, Q("SHOW USERS"), new AuthenticationHeaderValue("Bearer", token));
            await Assert.That(r.Status).IsEqualTo(HttpStatusCode.Unauthorized);
            await Assert.That(r.Body).IsEqualTo("{\"error\":\"" + error + "\"}\n");
        }
        await Refused(Jwt("{\"username\":\"admin\"}"), "token expiration required");
        await Refused(Jwt("{\"username\":\"admin\",\"exp\":1}"), "Token is expired");
        await Refused(Jwt($"{{\"username\":\"ghost\",\"exp\":{exp}}}"), "user not found");
        await Refused(Jwt($"{{\"username\":\"admin\",\"exp\":{exp}}}")[..^2] + "AA", "signature is invalid");
        await Refused("not-a-jwt", "token contains an invalid number of segments");
    }
}
