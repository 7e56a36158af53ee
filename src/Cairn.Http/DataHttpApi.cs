using Cairn.Cluster.Write;
using Cairn.Common;
using Cairn.Common.Web;
using Cairn.Meta.Licensing;
using Cairn.Http.Auth;
using Cairn.Http.Write;
using Cairn.Meta.Store;
using Cairn.Storage.Engine;
using Microsoft.AspNetCore.Http;

namespace Cairn.Http;

/// <summary>
/// The data node's public HTTP API. The dispatcher is a switch on the path: it is the hot entry for
/// every write and query, and it keeps the API free of reflection-based routing.
/// </summary>
public sealed class DataHttpApi(LicenseState license, Func<IReadOnlyList<int>> coresInUse, DataHttpOptions options,
    IMetaStore? meta = null, PointsWriter? writer = null, Func<HttpContext, Task>? query = null, TsdbStore? store = null,
    HttpAuthentication? auth = null, Action<System.Text.Json.Utf8JsonWriter>? moreStatistics = null)
{
    public Task HandleAsync(HttpContext context)
    {
        InfluxResponses.AddStandardHeaders(context.Response);
        return context.Request.Path.Value switch
        {
            "/ping" => InfluxResponses.PingAsync(context),
            "/health" => HealthAsync(context),
            "/debug/vars" => AuthenticatedAsync(context, DebugVarsAsync),
            "/shard-status" => AuthenticatedAsync(context, ShardStatusAsync),
            "/write" or "/api/v2/write" => AuthenticatedAsync(context, WriteAsync),
            "/query" when query is not null => AuthenticatedAsync(context, query),
            _ => InfluxResponses.NotFoundAsync(context),
        };
    }

    /// <summary>
    /// GET /shard-status (InfluxDB Enterprise's data-node endpoint): per database and retention policy, the shards this
    /// node holds, with their size on disk (left out when 0) and whether their group still takes writes.
    /// </summary>
    private Task ShardStatusAsync(HttpContext context)
    {
        if (!HttpMethods.IsGet(context.Request.Method)) return InfluxResponses.MethodNotAllowedAsync(context, "GET");
        var state = meta?.Current;
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        return InfluxResponses.WriteJsonAsync(context, json =>
        {
            json.WriteStartObject();
            json.WriteStartArray("databases");
            foreach (var db in state?.Databases ?? [])
            {
                json.WriteStartObject();
                json.WriteString("name", db.Name);
                json.WriteStartArray("retention_policies");
                foreach (var rp in db.RetentionPolicies)
                {
                    json.WriteStartObject();
                    json.WriteString("name", rp.Name);
                    json.WriteNumber("replication_factor", rp.ReplicaN);
                    json.WriteStartArray("shards");
                    foreach (var group in rp.ShardGroups)
                    {
                        if (group.Deleted) continue;
                        foreach (var info in group.Shards)
                        {
                            if (store?.Shard(info.Id) is not { } shard) continue;
                            json.WriteStartObject();
                            json.WriteNumber("id", info.Id);
                            long size = shard.Statistics.DiskBytes;
                            if (size > 0) json.WriteNumber("size", size);
                            json.WriteBoolean("is_hot", group.EffectiveEnd > now);
                            json.WriteEndObject();
                        }
                    }
                    json.WriteEndArray();
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        });
    }

    /// <summary>Runs <paramref name="next"/> once the request is authenticated (<c>[http] auth-enabled</c>); /ping and /health stay open.</summary>
    private Task AuthenticatedAsync(HttpContext context, Func<HttpContext, Task> next)
    {
        if (auth is not { Enabled: true }) return next(context);
        return Run(context, next);

        async Task Run(HttpContext context, Func<HttpContext, Task> next)
        {
            if (await auth.TryAuthenticateAsync(context)) await next(context);
        }
    }

    /// <summary>GET /health: InfluxDB 1.8's body (Go marshals a map, so keys are sorted).</summary>
    private static Task HealthAsync(HttpContext context)
    {
        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
            return InfluxResponses.MethodNotAllowedAsync(context, "GET, HEAD");
        context.Response.StatusCode = StatusCodes.Status200OK;
        return InfluxResponses.WriteJsonAsync(context, json =>
        {
            json.WriteStartObject();
            json.WriteStartArray("checks");
            json.WriteEndArray();
            json.WriteString("message", "ready for queries and writes");
            json.WriteString("name", "influxdb");
            json.WriteString("status", "pass");
            json.WriteString("version", BuildInfo.ServerVersion);
            json.WriteEndObject();
        });
    }

    private Task DebugVarsAsync(HttpContext context)
    {
        // The statistics are the operator's: with authentication on, only an admin reads them.
        if (auth is { Enabled: true } && meta is not null && meta.Current.HasAdminUser && HttpAuthentication.UserOf(context) is not { Admin: true })
            return QueryEndpoint.WriteErrorAsync(context, StatusCodes.Status403Forbidden, "admin privilege required", pretty: false);
        return InfluxResponses.DebugVarsAsync(context, json =>
        {
            license.WriteEntitlements(json, coresInUse());
            if (store is not null) EngineStatistics.Write(json, store);
            moreStatistics?.Invoke(json);
        });
    }

    /// <summary>
    /// POST /write (and /api/v2/write with <c>bucket=db/rp</c>): InfluxDB 1.x's checks in its order —
    /// licence, database, body size (413), gzip, line protocol, consistency — then the points writer.
    /// </summary>
    private async Task WriteAsync(HttpContext context)
    {
        var request = context.Request;
        if (!HttpMethods.IsPost(request.Method))
        {
            await InfluxResponses.MethodNotAllowedAsync(context, "POST");
            return;
        }
        if (license.Refusal("write") is { } refusal)
        {
            await QueryEndpoint.WriteErrorAsync(context, StatusCodes.Status503ServiceUnavailable, refusal, pretty: false);
            return;
        }
        var (db, rp) = Target(request);
        if (string.IsNullOrEmpty(db))
        {
            await QueryEndpoint.WriteErrorAsync(context, StatusCodes.Status400BadRequest, "database is required", pretty: false);
            return;
        }
        if (writer is null || meta is null || meta.Current.Database(db) is null)
        {
            await QueryEndpoint.WriteErrorAsync(context, StatusCodes.Status404NotFound, $"database not found: \"{db}\"", pretty: false);
            return;
        }
        if (auth is { Enabled: true })
        {
            // InfluxDB's serveWrite: after the database check, before the body is read.
            var user = HttpAuthentication.UserOf(context);
            string? denied = user is null ? $"user is required to write to database \"{db}\""
                : !meta.Current.Authorizes(user, UserPrivilege.Write, db) ? $"\"{user.Name}\" user is not authorized to write to database \"{db}\""
                : null;
            if (denied is not null)
            {
                await QueryEndpoint.WriteErrorAsync(context, StatusCodes.Status403Forbidden, denied, pretty: false);
                return;
            }
        }

        long maxBody = options.MaxBodySize;
        if (maxBody > 0 && request.ContentLength > maxBody)
        {
            await QueryEndpoint.WriteErrorAsync(context, StatusCodes.Status413RequestEntityTooLarge, "Request Entity Too Large", pretty: false);
            return;
        }
        var (body, error) = await WriteBody.ReadAsync(request, maxBody, context.RequestAborted);
        if (error is not null)
        {
            await QueryEndpoint.WriteErrorAsync(context, error.Value.Status, error.Value.Message, pretty: false);
            return;
        }
        try
        {
            var precision = PrecisionOf(request);
            var consistency = request.Query["consistency"].ToString();
            if (consistency.Length > 0 && consistency is not ("any" or "one" or "quorum" or "all"))
            {
                await QueryEndpoint.WriteErrorAsync(context, StatusCodes.Status400BadRequest, "invalid consistency level", pretty: false);
                return;
            }
            var level = consistency switch
            {
                "any" => ConsistencyLevel.Any,
                "quorum" => ConsistencyLevel.Quorum,
                "all" => ConsistencyLevel.All,
                _ => ConsistencyLevel.One,
            };
            var outcome = await writer.WriteAsync(db, rp, body.Memory, precision, level, context.RequestAborted);
            if (outcome.Error is null)
            {
                context.Response.StatusCode = StatusCodes.Status204NoContent;
                return;
            }
            await QueryEndpoint.WriteErrorAsync(context, outcome.StatusCode, outcome.Error, pretty: false);
        }
        finally
        {
            body.Dispose();
        }
    }

    private static Cairn.Storage.LineProtocol.Precision PrecisionOf(HttpRequest request)
    {
        var text = request.Query["precision"].ToString();
        // 1.8's /api/v2/write spells microseconds "us"; 1.x's /write spells it "u".
        return text == "us" ? Cairn.Storage.LineProtocol.Precision.Microsecond : Cairn.Storage.LineProtocol.PrecisionExtensions.ParsePrecision(text);
    }

    private static (string? Database, string? RetentionPolicy) Target(HttpRequest request)
    {
        if (request.Path.Value == "/api/v2/write")
        {
            var bucket = request.Query["bucket"].ToString();
            int slash = bucket.IndexOf('/');
            return slash >= 0 ? (bucket[..slash], bucket[(slash + 1)..]) : (bucket, null);
        }
        return (request.Query["db"].ToString(), request.Query["rp"].ToString());
    }
}
