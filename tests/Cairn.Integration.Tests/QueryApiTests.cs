using System.Net.Http.Headers;

namespace Cairn.Integration.Tests;

/// <summary>/query content negotiation through the published binary.</summary>
public class QueryApiTests
{
    [Test]
    public async Task AcceptCsvAndMsgpack_AreHonoured_JsonOtherwise()
    {
        await using var sandbox = new Sandbox();
        var license = await sandbox.ValidLicenseAsync();
        var (_, ready) = await sandbox.StartAsync(sandbox.LoopbackToml(Sandbox.LicenseToml(license)));
        using var http = Sandbox.Http(ready["http"]);
        await DataNode.QueryAsync(http, "CREATE DATABASE alpha");

        async Task<(string Type, byte[] Body)> Ask(string? accept)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/query?q=SHOW+DATABASES");
            if (accept is not null) request.Headers.Accept.ParseAdd(accept);
            using var response = await http.SendAsync(request);
            return (response.Content.Headers.ContentType?.MediaType ?? "", await response.Content.ReadAsByteArrayAsync());
        }

        var (csvType, csv) = await Ask("application/csv");
        await Assert.That(csvType).IsEqualTo("application/csv");
        await Assert.That(System.Text.Encoding.UTF8.GetString(csv)).IsEqualTo("name,tags,name\ndatabases,,alpha\n");
        var (textType, _) = await Ask("text/csv");
        await Assert.That(textType).IsEqualTo("text/csv");
        var (packType, packed) = await Ask("application/x-msgpack");
        await Assert.That(packType).IsEqualTo("application/x-msgpack");
        await Assert.That(packed[0]).IsEqualTo((byte)0x81); // a one-entry map: "results"
        var (jsonType, json) = await Ask("text/html, application/json;q=0.5");
        await Assert.That(jsonType).IsEqualTo("application/json");
        await Assert.That(System.Text.Encoding.UTF8.GetString(json)).IsEqualTo("{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"databases\",\"columns\":[\"name\"],\"values\":[[\"alpha\"]]}]}]}\n");
    }
}
