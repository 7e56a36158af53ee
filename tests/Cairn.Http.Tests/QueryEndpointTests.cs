using System.Text;
using Cairn.Http.Tests.Support;
using Microsoft.AspNetCore.Http;

namespace Cairn.Http.Tests;

/// <summary>The /query handler: parameters, status codes, headers and bodies as InfluxDB's httpd answers.</summary>
public class QueryEndpointTests
{
    private static async Task<(int Status, string Body, IHeaderDictionary Headers)> Send(TestServer server, string method, string queryString,
        string? form = null, string contentType = "application/x-www-form-urlencoded")
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Path = "/query";
        context.Request.QueryString = new QueryString(queryString);
        if (form is not null)
        {
            context.Request.ContentType = contentType;
            context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(form));
        }
        var body = new MemoryStream();
        context.Response.Body = body;
        await new QueryEndpoint(server.Executor).HandleAsync(context);
        return (context.Response.StatusCode, Encoding.UTF8.GetString(body.ToArray()), context.Response.Headers);
    }

    [Test]
    public async Task Post_FormBody_RunsStatements()
    {
        await using var server = await TestServer.StartAsync();
        var (status, body, headers) = await Send(server, "POST", "", "q=CREATE+DATABASE+db0%3BSHOW+DATABASES");
        await Assert.That(status).IsEqualTo(200);
        await Assert.That(headers.ContentType.ToString()).IsEqualTo("application/json");
        await Assert.That(body).IsEqualTo("{\"results\":[{\"statement_id\":0},{\"statement_id\":1,\"series\":[{\"name\":\"databases\",\"columns\":[\"name\"],\"values\":[[\"db0\"]]}]}]}\n");
    }

    [Test]
    public async Task Post_QueryString_Accepted()
    {
        await using var server = await TestServer.StartAsync();
        var (status, body, _) = await Send(server, "POST", "?q=SHOW+DATABASES");
        await Assert.That(status).IsEqualTo(200);
        await Assert.That(body).IsEqualTo("{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"databases\",\"columns\":[\"name\"]}]}]}\n");
    }

    [Test]
    public async Task MissingQ_400WithInfluxDBError()
    {
        await using var server = await TestServer.StartAsync();
        var (status, body, headers) = await Send(server, "GET", "?db=db0&q=%20%20");
        await Assert.That(status).IsEqualTo(400);
        await Assert.That(body).IsEqualTo("{\"error\":\"missing required parameter \\\"q\\\"\"}\n");
        await Assert.That(headers["X-Influxdb-Error"].ToString()).IsEqualTo("missing required parameter \"q\"");
    }

    [Test]
    public async Task ParseError_400ErrorParsingQuery()
    {
        await using var server = await TestServer.StartAsync();
        var (status, body, _) = await Send(server, "POST", "?q=CREATE+DATABASE+0xdb0");
        await Assert.That(status).IsEqualTo(400);
        await Assert.That(body).IsEqualTo("{\"error\":\"error parsing query: found 0xdb0, expected identifier at line 1, char 17\"}\n");
    }

    [Test]
    public async Task Params_BoundIntoQuery()
    {
        await using var server = await TestServer.StartAsync();
        await server.Exec("CREATE DATABASE db0");
        var (status, body, _) = await Send(server, "POST", "?q=SHOW+RETENTION+POLICIES+ON+%24d&params=%7B%22d%22%3A%7B%22identifier%22%3A%22db0%22%7D%7D");
        await Assert.That(status).IsEqualTo(200);
        await Assert.That(body).Contains("[\"autogen\",\"0s\",\"168h0m0s\",1,\"0s\",\"0s\",true]");
        var (badStatus, badBody, _) = await Send(server, "POST", "?q=SHOW+DATABASES&params=%5B1%5D");
        await Assert.That(badStatus).IsEqualTo(400);
        await Assert.That(badBody).IsEqualTo("{\"error\":\"error parsing query parameters: json: cannot unmarshal array into Go value of type map[string]interface {}\"}\n");
    }

    [Test]
    public async Task DbAndRpParameters_UsedByStatements()
    {
        await using var server = await TestServer.StartAsync();
        await server.WriteAsHarness("db0", "rp0", "cpu,host=a v=1 1000000000");
        var (_, body, _) = await Send(server, "GET", "?db=db0&rp=rp0&q=SHOW+SERIES");
        await Assert.That(body).IsEqualTo("{\"results\":[{\"statement_id\":0,\"series\":[{\"columns\":[\"key\"],\"values\":[[\"cpu,host=a\"]]}]}]}\n");
    }

    [Test]
    public async Task Get_WriteStatement_ExecutesWithWarning()
    {
        await using var server = await TestServer.StartAsync();
        var (status, body, _) = await Send(server, "GET", "?q=DROP+DATABASE+nodb");
        await Assert.That(status).IsEqualTo(200);
        await Assert.That(body).IsEqualTo("{\"results\":[{\"statement_id\":0,\"messages\":[{\"level\":\"warning\",\"text\":\"deprecated use of 'DROP DATABASE nodb' in a read only context, please use a POST request instead\"}]}]}\n");
    }

    [Test]
    public async Task Pretty_IndentedBody()
    {
        await using var server = await TestServer.StartAsync();
        var (_, body, _) = await Send(server, "GET", "?q=SHOW+SUBSCRIPTIONS&pretty=true");
        await Assert.That(body).IsEqualTo("{\n    \"results\": [\n        {\n            \"statement_id\": 0\n        }\n    ]\n}\n");
    }

    [Test]
    public async Task Chunked_OneObjectPerStatement()
    {
        await using var server = await TestServer.StartAsync();
        var (status, body, _) = await Send(server, "POST", "?chunked=true", "q=CREATE+DATABASE+db0%3BSHOW+RETENTION+POLICIES+ON+nodb%3BSHOW+DATABASES");
        await Assert.That(status).IsEqualTo(200);
        await Assert.That(body).IsEqualTo("{\"results\":[{\"statement_id\":0}]}\n{\"results\":[{\"statement_id\":1,\"error\":\"database not found: nodb\"}]}\n{\"results\":[{\"statement_id\":2,\"error\":\"not executed\"}]}\n");
    }

    [Test]
    public async Task Multipart_QField_Accepted()
    {
        await using var server = await TestServer.StartAsync();
        const string boundary = "XyZ";
        string form = "--XyZ\r\nContent-Disposition: form-data; name=\"q\"\r\n\r\nSHOW DATABASES\r\n--XyZ--\r\n";
        var (status, body, _) = await Send(server, "POST", "", form, "multipart/form-data; boundary=" + boundary);
        await Assert.That(status).IsEqualTo(200);
        await Assert.That(body).IsEqualTo("{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"databases\",\"columns\":[\"name\"]}]}]}\n");
    }

    [Test]
    public async Task OtherMethod_405()
    {
        await using var server = await TestServer.StartAsync();
        var (status, _, headers) = await Send(server, "DELETE", "?q=SHOW+DATABASES");
        await Assert.That(status).IsEqualTo(405);
        await Assert.That(headers.Allow.ToString()).IsEqualTo("GET, POST");
    }
}
