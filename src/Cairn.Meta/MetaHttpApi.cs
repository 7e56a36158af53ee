using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Cairn.Common.Web;
using Cairn.Meta.Auth;
using Cairn.Meta.Licensing;
using Cairn.Meta.Raft;
using Cairn.Meta.Store;
using Microsoft.AspNetCore.Http;
using NLog;

namespace Cairn.Meta;

/// <summary>The /status body (InfluxDB Enterprise's shape).</summary>
public sealed record MetaStatus(
    [property: JsonPropertyName("nodeType")] string NodeType,
    [property: JsonPropertyName("leader")] string Leader,
    [property: JsonPropertyName("httpAddr")] string HttpAddr,
    [property: JsonPropertyName("raftAddr")] string RaftAddr,
    [property: JsonPropertyName("peers")] List<string>? Peers);

/// <summary>The /execute reply: a <see cref="MetaResult"/> for a data node that forwarded a command.</summary>
public sealed record ExecuteReply(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("index")] ulong Index,
    [property: JsonPropertyName("changed")] bool Changed,
    [property: JsonPropertyName("shardGroupId")] ulong ShardGroupId,
    [property: JsonPropertyName("nodeId")] ulong NodeId);

[JsonSerializable(typeof(MetaStatus))]
[JsonSerializable(typeof(ExecuteReply))]
public sealed partial class MetaJsonContext : JsonSerializerContext;

/// <summary>
/// The meta node's HTTP API (port 8091), documented in docs/meta-api.md: cluster status and membership, shards,
/// users, leases, and for data nodes the command forwarding (/execute) and the long-poll snapshot.
/// Mutations on a follower answer 307 to the leader; a node outside any cluster answers 503.
/// </summary>
public sealed class MetaHttpApi(Func<MetaService?> service, LicenseState license)
{
    private static readonly Logger Log = LogManager.GetLogger("meta-http");
    private static readonly PasswordHasher Passwords = new();

    public async Task HandleAsync(HttpContext context)
    {
        InfluxResponses.AddStandardHeaders(context.Response);
        var path = context.Request.Path.Value ?? "/";
        var meta = service();
        var started = meta?.Time.GetTimestamp() ?? 0;
        try
        {
            await RouteAsync(context, path, meta);
        }
        catch (MetaApiException e)
        {
            await InfluxResponses.ErrorAsync(context, e.Status, e.Message);
        }
        catch (NotLeaderException e)
        {
            await RedirectOrUnavailableAsync(context, e.LeaderHttp);
        }
        catch (RaftUnavailableException e)
        {
            await InfluxResponses.ErrorAsync(context, StatusCodes.Status503ServiceUnavailable, e.Message);
        }
        catch (IOException e) when (!context.RequestAborted.IsCancellationRequested)
        {
            await InfluxResponses.ErrorAsync(context, StatusCodes.Status502BadGateway, e.Message);
        }
        if (meta is { Options.ClusterTracing: true })
            Log.Info("{0} {1}{2} {3} {4} {5:0.###}ms", context.Connection.RemoteIpAddress, context.Request.Method, path,
                context.Request.QueryString, context.Response.StatusCode, meta.Time.GetElapsedTime(started).TotalMilliseconds);
    }

    private Task RouteAsync(HttpContext context, string path, MetaService? meta)
    {
        switch (path)
        {
            case "/ping": return InfluxResponses.PingAsync(context);
            case "/debug/vars":
                return InfluxResponses.DebugVarsAsync(context, json => license.WriteEntitlements(json, Cairn.Common.Platform.CpuAffinity.GetAllowed()));
        }
        if (meta is null)
            return KnownPaths.Contains(path)
                ? InfluxResponses.ErrorAsync(context, StatusCodes.Status503ServiceUnavailable, "the meta service does not run on this node")
                : InfluxResponses.NotFoundAsync(context);
        if (!Authenticate(context, meta, out var refusal)) return InfluxResponses.ErrorAsync(context, StatusCodes.Status401Unauthorized, refusal);
        if (path == "/status") return StatusAsync(context, meta);
        if (!meta.Consensus.IsJoined && path is not ("/add-meta" or "/join"))
            return InfluxResponses.ErrorAsync(context, StatusCodes.Status503ServiceUnavailable, "meta node is not a member of a cluster");

        bool get = HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method);
        bool post = HttpMethods.IsPost(context.Request.Method);
        return (path, get, post) switch
        {
            ("/show-cluster", true, _) => ShowClusterAsync(context, meta),
            ("/show-shards", true, _) => ShowShardsAsync(context, meta),
            ("/user", true, _) => UsersAsync(context, meta),
            ("/role", true, _) => RolesAsync(context, meta),
            ("/authorized", true, _) => AuthorizedAsync(context, meta),
            ("/" or "/snapshot", true, _) => SnapshotAsync(context, meta),
            ("/lease", true, _) => LeaseAsync(context, meta),
            ("/add-meta", _, true) => AddMetaAsync(context, meta),
            ("/remove-meta" or "/remove", _, true) => RemoveMetaAsync(context, meta),
            ("/add-data", _, true) => AddDataAsync(context, meta),
            ("/remove-data", _, true) => RemoveDataAsync(context, meta),
            ("/update-data", _, true) => UpdateDataAsync(context, meta),
            ("/truncate-shards", _, true) => TruncateShardsAsync(context, meta),
            ("/user", _, true) => UserActionAsync(context, meta),
            ("/role", _, true) => RoleActionAsync(context, meta),
            ("/execute", _, true) => ExecuteAsync(context, meta),
            ("/announce", _, true) => AnnounceAsync(context, meta),
            ("/join", _, true) => JoinAsync(context, meta),
            ("/leave", _, true) => LeaveAsync(context, meta),
            ("/show-cluster" or "/show-shards" or "/authorized" or "/" or "/snapshot" or "/lease", _, _) => InfluxResponses.MethodNotAllowedAsync(context, "GET"),
            ("/add-meta" or "/remove-meta" or "/remove" or "/add-data" or "/remove-data" or "/update-data" or "/truncate-shards" or "/execute" or "/announce" or "/join" or "/leave", _, _)
                => InfluxResponses.MethodNotAllowedAsync(context, "POST"),
            _ => InfluxResponses.NotFoundAsync(context),
        };
    }

    private static readonly HashSet<string> KnownPaths = new(StringComparer.Ordinal)
    {
        "/status", "/show-cluster", "/show-shards", "/user", "/role", "/authorized", "/", "/snapshot", "/lease", "/add-meta", "/remove-meta",
        "/remove", "/add-data", "/remove-data", "/update-data", "/truncate-shards", "/execute", "/announce", "/join", "/leave",
    };

    // ---- authentication ----

    /// <summary>
    /// With [meta] auth-enabled: Basic (an admin user), or a Bearer JWT signed with the shared secret (operators) or the
    /// internal shared secret (nodes). Without it, a Bearer token must still verify against the internal secret when one is set.
    /// </summary>
    private static bool Authenticate(HttpContext context, MetaService meta, out string refusal)
    {
        refusal = "";
        var header = context.Request.Headers.Authorization.ToString();
        var options = meta.Options;
        if (!options.AuthEnabled) return true;
        long now = meta.Time.GetUtcNow().ToUnixTimeSeconds();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var token = header["Bearer ".Length..].Trim();
            string? error = "signature is invalid";
            foreach (var secret in new[] { options.SharedSecret, options.InternalSharedSecret })
            {
                if (secret.Length == 0) continue;
                if (JwtToken.TryValidate(token, Encoding.UTF8.GetBytes(secret), now, out _, out error)) return true;
            }
            refusal = error ?? "signature is invalid";
            return false;
        }
        if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            string decoded;
            try { decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim())); }
            catch (FormatException) { refusal = "unable to parse authentication credentials"; return false; }
            int colon = decoded.IndexOf(':');
            if (colon < 0) { refusal = "unable to parse authentication credentials"; return false; }
            var state = meta.Consensus.State;
            // Until the first admin exists, the cluster can be built and the admin created without credentials.
            if (!state.HasAdminUser) return true;
            var user = state.User(decoded[..colon]);
            if (user is null || !user.Admin || !Passwords.Verify(user.Name, decoded[(colon + 1)..], user.Hash))
            {
                refusal = "authorization failed";
                return false;
            }
            return true;
        }
        if (!meta.Consensus.State.HasAdminUser) return true;
        refusal = "unable to parse authentication credentials";
        return false;
    }

    // ---- reads ----

    private static Task StatusAsync(HttpContext context, MetaService meta)
    {
        var raft = meta.Consensus;
        bool joined = raft.IsJoined;
        return InfluxResponses.WriteJsonAsync(context, json =>
        {
            json.WriteStartObject();
            json.WriteString("nodeType", "meta");
            json.WriteString("leader", raft.Leader);
            json.WriteString("httpAddr", raft.SelfHttp);
            json.WriteString("raftAddr", raft.Self);
            json.WritePropertyName("peers");
            if (!joined) json.WriteNullValue();
            else
            {
                json.WriteStartArray();
                foreach (var peer in raft.Members) json.WriteStringValue(peer);
                json.WriteEndArray();
            }
            json.WriteEndObject();
        });
    }

    private static Task ShowClusterAsync(HttpContext context, MetaService meta)
    {
        var state = meta.Consensus.State;
        return InfluxResponses.WriteJsonAsync(context, json =>
        {
            json.WriteStartObject();
            json.WritePropertyName("data");
            WriteNodes(json, state.DataNodes, includeStatus: true);
            json.WritePropertyName("meta");
            WriteNodes(json, state.MetaNodes, includeStatus: false);
            json.WriteEndObject();
        });
    }

    private static void WriteNodes(Utf8JsonWriter json, IEnumerable<NodeInfo> nodes, bool includeStatus)
    {
        json.WriteStartArray();
        foreach (var node in nodes.OrderBy(n => n.Id))
        {
            json.WriteStartObject();
            json.WriteNumber("id", node.Id);
            json.WriteString("addr", node.HttpAddr);
            json.WriteString("httpScheme", "http");
            json.WriteString("tcpAddr", node.TcpAddr);
            json.WriteString("version", Cairn.Common.BuildInfo.ServerVersion);
            json.WriteStartObject("labels");
            json.WriteEndObject();
            if (includeStatus) json.WriteString("status", "joined");
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    private static Task ShowShardsAsync(HttpContext context, MetaService meta)
    {
        var state = meta.Consensus.State;
        bool verbose = InfluxResponses.IsTrue(context.Request.Query["verbose"]);
        return InfluxResponses.WriteJsonAsync(context, json =>
        {
            json.WriteStartArray();
            foreach (var db in state.Databases)
                foreach (var rp in db.RetentionPolicies)
                    foreach (var group in rp.ShardGroups)
                    {
                        if (group.Deleted) continue;
                        foreach (var shard in group.Shards)
                        {
                            json.WriteStartObject();
                            json.WriteString("id", shard.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
                            json.WriteString("database", db.Name);
                            json.WriteString("retention-policy", rp.Name);
                            json.WriteNumber("replica-n", rp.ReplicaN);
                            json.WriteString("shard-group-id", group.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
                            json.WriteString("start-time", Rfc3339(group.StartTime));
                            json.WriteString("end-time", Rfc3339(group.EndTime));
                            json.WriteString("expire-time", rp.Duration == 0 ? "0001-01-01T00:00:00Z" : Rfc3339(group.EndTime + rp.Duration));
                            json.WriteString("truncated-at", group.Truncated ? Rfc3339(group.TruncatedAt) : "0001-01-01T00:00:00Z");
                            json.WriteStartArray("owners");
                            foreach (var owner in shard.Owners)
                            {
                                json.WriteStartObject();
                                json.WriteString("id", owner.ToString(System.Globalization.CultureInfo.InvariantCulture));
                                json.WriteString("tcpAddr", state.DataNode(owner)?.TcpAddr ?? "");
                                if (verbose)
                                {
                                    json.WriteString("state", group.EffectiveEnd > meta.Time.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000 ? "hot" : "cold");
                                    json.WriteNull("err");
                                }
                                json.WriteEndObject();
                            }
                            json.WriteEndArray();
                            json.WriteEndObject();
                        }
                    }
            json.WriteEndArray();
        });
    }

    private static string Rfc3339(long ns) =>
        DateTime.UnixEpoch.AddTicks(ns / 100).ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private static Task UsersAsync(HttpContext context, MetaService meta)
    {
        var state = meta.Consensus.State;
        string? name = context.Request.Query["name"];
        var users = state.Users.Where(u => string.IsNullOrEmpty(name) || u.Name == name).ToList();
        if (!string.IsNullOrEmpty(name) && users.Count == 0) throw new MetaApiException(404, "user not found");
        return InfluxResponses.WriteJsonAsync(context, json =>
        {
            json.WriteStartObject();
            json.WriteStartArray("users");
            foreach (var user in users)
            {
                json.WriteStartObject();
                json.WriteString("name", user.Name);
                json.WriteString("hash", user.Hash);
                json.WriteStartObject("permissions");
                if (user.Admin)
                {
                    json.WriteStartArray("");
                    foreach (var p in AdminPermissions) json.WriteStringValue(p);
                    json.WriteEndArray();
                }
                foreach (var p in user.Privileges)
                {
                    if (p.Privilege == UserPrivilege.None) continue;
                    json.WriteStartArray(p.Database);
                    if ((p.Privilege & UserPrivilege.Read) != 0) json.WriteStringValue("ReadData");
                    if ((p.Privilege & UserPrivilege.Write) != 0) json.WriteStringValue("WriteData");
                    json.WriteEndArray();
                }
                json.WriteEndObject();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        });
    }

    /// <summary>GET /role[?name=]: <c>{"roles":[{"name","permissions":{db:[…]},"users":[…]}]}</c>, or <c>{}</c> when there are none.</summary>
    private static Task RolesAsync(HttpContext context, MetaService meta)
    {
        var state = meta.Consensus.State;
        string? name = context.Request.Query["name"];
        var roles = state.Roles.Where(r => string.IsNullOrEmpty(name) || r.Name == name).ToList();
        if (!string.IsNullOrEmpty(name) && roles.Count == 0) throw new MetaApiException(404, "role not found");
        return InfluxResponses.WriteJsonAsync(context, json =>
        {
            json.WriteStartObject();
            if (roles.Count > 0)
            {
                json.WriteStartArray("roles");
                foreach (var role in roles)
                {
                    json.WriteStartObject();
                    json.WriteString("name", role.Name);
                    json.WriteStartObject("permissions");
                    foreach (var p in role.Permissions)
                    {
                        json.WriteStartArray(p.Database);
                        foreach (var n in p.Names) json.WriteStringValue(n);
                        json.WriteEndArray();
                    }
                    json.WriteEndObject();
                    json.WriteStartArray("users");
                    foreach (var u in role.Users) json.WriteStringValue(u);
                    json.WriteEndArray();
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            }
            json.WriteEndObject();
        });
    }

    /// <summary>POST /role {"action":"create|delete|add-users|remove-users|add-permissions|remove-permissions","role":{"name","users","permissions"}}.</summary>
    private static async Task RoleActionAsync(HttpContext context, MetaService meta)
    {
        var (body, action, role, name) = await ReadActionAsync(context, "role");
        using var _ = body;
        RequireLeader(meta);
        var ct = context.RequestAborted;
        var users = role.TryGetProperty("users", out var u) && u.ValueKind == JsonValueKind.Array
            ? [.. u.EnumerateArray().Select(x => x.GetString() ?? "")] : System.Collections.Immutable.ImmutableArray<string>.Empty;
        var permissions = role.TryGetProperty("permissions", out var p) && p.ValueKind == JsonValueKind.Object
            ? p.EnumerateObject().Select(x => (x.Name, Names: x.Value.EnumerateArray().Select(v => v.GetString() ?? "").ToImmutableArray())).ToList()
            : [];
        switch (action)
        {
            case "create":
                await meta.ExecuteAsync(new CreateRoleCommand(name), ct);
                if (!users.IsEmpty) await meta.ExecuteAsync(new ChangeRoleUsersCommand(name, true, users), ct);
                foreach (var (db, names) in permissions) await meta.ExecuteAsync(new ChangeRolePermissionsCommand(name, true, db, names), ct);
                break;
            case "delete":
                await meta.ExecuteAsync(new DropRoleCommand(name), ct);
                break;
            case "add-users" or "remove-users":
                await meta.ExecuteAsync(new ChangeRoleUsersCommand(name, action == "add-users", users), ct);
                break;
            case "add-permissions" or "remove-permissions":
                if (meta.Consensus.State.Role(name) is null) throw new MetaApiException(404, "role not found");
                foreach (var (db, names) in permissions)
                    await meta.ExecuteAsync(new ChangeRolePermissionsCommand(name, action == "add-permissions", db, names), ct);
                break;
            default:
                throw new MetaApiException(400, $"unknown action \"{action}\"");
        }
        await EmptyAsync(context);
    }

    private static readonly string[] AdminPermissions =
        ["ViewAdmin", "ViewChronograf", "CreateDatabase", "CreateUserAndRole", "AddRemoveNode", "DropDatabase", "DropData",
         "ReadData", "WriteData", "Rebalance", "ManageShard", "ManageContinuousQuery", "ManageQuery", "ManageSubscription", "Monitor", "CopyShard", "KapacitorAPI", "KapacitorConfigAPI"];

    /// <summary>GET /authorized?name=&amp;password=&amp;permission=&amp;resource=: 200 when the user's password checks and the permission holds.</summary>
    private static Task AuthorizedAsync(HttpContext context, MetaService meta)
    {
        var q = context.Request.Query;
        var user = meta.Consensus.State.User(q["name"].ToString());
        if (user is null || !Passwords.Verify(user.Name, q["password"].ToString(), user.Hash))
            throw new MetaApiException(401, "authorization failed");
        string permission = q["permission"].ToString();
        string resource = q["resource"].ToString();
        bool allowed = user.Admin || permission is "" or "NoPermissions" || permission switch
        {
            "ReadData" => meta.Consensus.State.Authorizes(user, UserPrivilege.Read, resource),
            "WriteData" => meta.Consensus.State.Authorizes(user, UserPrivilege.Write, resource),
            _ => false,
        };
        if (!allowed) throw new MetaApiException(403, $"user {user.Name} does not have \"{permission}\" permission on \"{resource}\"");
        context.Response.StatusCode = StatusCodes.Status200OK;
        return InfluxResponses.WriteJsonAsync(context, json => { json.WriteStartObject(); json.WriteEndObject(); });
    }

    /// <summary>GET /?index=N: the state (a meta snapshot image) once its index passes N, or after the poll timeout.</summary>
    private static async Task SnapshotAsync(HttpContext context, MetaService meta)
    {
        ulong.TryParse(context.Request.Query["index"], out var index);
        var state = meta.Consensus.State;
        if (state.Index <= index)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
            timeout.CancelAfter(meta.Options.PollTimeout);
            try { state = await meta.Consensus.WaitForIndexAsync(index, timeout.Token); }
            catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested) { state = meta.Consensus.State; }
        }
        var bytes = MetaSnapshotCodec.Encode(state);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/octet-stream";
        context.Response.Headers["X-Cairn-Meta-Index"] = state.Index.ToString(System.Globalization.CultureInfo.InvariantCulture);
        context.Response.Headers["X-Cairn-Meta-Leader"] = meta.Consensus.LeaderHttp;
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
    }

    /// <summary>GET /lease?name=&amp;node_id=: 200 with the lease when granted, 409 with the holder's when not. Answered by the leader.</summary>
    private static Task LeaseAsync(HttpContext context, MetaService meta)
    {
        if (meta.Consensus.Role != RaftRole.Leader) throw new NotLeaderException(meta.Consensus.LeaderHttp is { Length: > 0 } l ? l : null, "not the leader");
        string name = context.Request.Query["name"].ToString();
        if (name.Length == 0) throw new MetaApiException(400, "lease name required");
        if (!ulong.TryParse(context.Request.Query["node_id"], out var nodeId)) throw new MetaApiException(400, "node_id required");
        var (lease, granted) = meta.AcquireLease(name, nodeId);
        context.Response.StatusCode = granted ? StatusCodes.Status200OK : StatusCodes.Status409Conflict;
        return InfluxResponses.WriteJsonAsync(context, json =>
        {
            json.WriteStartObject();
            json.WriteString("name", lease.Name);
            json.WriteString("expiration", lease.Expiration.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteNumber("owner", lease.Owner);
            if (!granted) json.WriteString("error", "another node has the lease");
            json.WriteEndObject();
        });
    }

    // ---- mutations ----

    private static async Task<IFormCollection> FormAsync(HttpContext context)
    {
        if (context.Request.HasFormContentType) return await context.Request.ReadFormAsync(context.RequestAborted);
        return new FormCollection(context.Request.Query.ToDictionary(kv => kv.Key, kv => kv.Value));
    }

    private static string Field(IFormCollection form, HttpContext context, string name)
    {
        var value = form[name].ToString();
        return value.Length > 0 ? value : context.Request.Query[name].ToString();
    }

    private static string Required(IFormCollection form, HttpContext context, string name) =>
        Field(form, context, name) is { Length: > 0 } value ? value : throw new MetaApiException(400, $"{name} is required");

    private static void RequireLeader(MetaService meta, bool allowUnjoined = false)
    {
        if (allowUnjoined && !meta.Consensus.IsJoined) return;
        if (meta.Consensus.Role != RaftRole.Leader)
            throw new NotLeaderException(meta.Consensus.LeaderHttp is { Length: > 0 } leader ? leader : null, "not the leader");
    }

    private static async Task AddMetaAsync(HttpContext context, MetaService meta)
    {
        var form = await FormAsync(context);
        string addr = Required(form, context, "addr");
        RequireLeader(meta, allowUnjoined: true);
        var node = await meta.AddMetaNodeAsync(addr, context.RequestAborted);
        await WriteNodeAsync(context, node);
    }

    private static async Task RemoveMetaAsync(HttpContext context, MetaService meta)
    {
        var form = await FormAsync(context);
        string httpAddr = Field(form, context, "httpAddr") is { Length: > 0 } h ? h : Required(form, context, "addr");
        RequireLeader(meta);
        await meta.RemoveMetaNodeAsync(httpAddr, Field(form, context, "tcpAddr"), InfluxResponses.IsTrue(Field(form, context, "force")), context.RequestAborted);
        await EmptyAsync(context);
    }

    private static async Task AddDataAsync(HttpContext context, MetaService meta)
    {
        var form = await FormAsync(context);
        string addr = Required(form, context, "addr");
        RequireLeader(meta);
        var node = await meta.AddDataNodeAsync(addr, context.RequestAborted);
        await WriteNodeAsync(context, node);
    }

    private static async Task RemoveDataAsync(HttpContext context, MetaService meta)
    {
        var form = await FormAsync(context);
        string addr = Required(form, context, "addr");
        RequireLeader(meta);
        await meta.RemoveDataNodeAsync(addr, InfluxResponses.IsTrue(Field(form, context, "force")), context.RequestAborted);
        await EmptyAsync(context);
    }

    private static async Task UpdateDataAsync(HttpContext context, MetaService meta)
    {
        var form = await FormAsync(context);
        string oldAddr = Required(form, context, "oldAddr");
        string newAddr = Required(form, context, "newAddr");
        RequireLeader(meta);
        var node = await meta.UpdateDataNodeAsync(oldAddr, newAddr, context.RequestAborted);
        await WriteNodeAsync(context, node);
    }

    private static async Task TruncateShardsAsync(HttpContext context, MetaService meta)
    {
        var form = await FormAsync(context);
        var delay = TimeSpan.FromMinutes(1);
        if (Field(form, context, "delay") is { Length: > 0 } text && !Cairn.Common.Config.GoDuration.TryParse(text, out delay))
            throw new MetaApiException(400, $"invalid delay \"{text}\"");
        RequireLeader(meta);
        long at = (meta.Time.GetUtcNow() + delay).ToUnixTimeMilliseconds() * 1_000_000;
        await meta.ExecuteAsync(new TruncateShardGroupsCommand(at), context.RequestAborted);
        await EmptyAsync(context);
    }

    /// <summary>
    /// The body of POST /user and /role: <c>{"action": …, "<paramref name="subject"/>": {"name": …, …}}</c>. Returns the
    /// document (the caller disposes it), the action, the subject object and its name; 400 when the JSON or the name is missing.
    /// </summary>
    private static async Task<(JsonDocument Body, string Action, JsonElement Subject, string Name)> ReadActionAsync(HttpContext context, string subject)
    {
        JsonDocument body;
        try { body = await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted); }
        catch (JsonException e) { throw new MetaApiException(400, "invalid JSON: " + e.Message); }
        var root = body.RootElement;
        string action = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("action", out var a) ? a.GetString() ?? "" : "";
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty(subject, out var element)
            || element.ValueKind != JsonValueKind.Object || !element.TryGetProperty("name", out var n) || n.GetString() is not { Length: > 0 } name)
        {
            body.Dispose();
            throw new MetaApiException(400, subject + " name required");
        }
        return (body, action, element, name);
    }

    /// <summary>POST /user {"action":…,"user":{"name","password","permissions":{db:[…]}}}.</summary>
    private static async Task UserActionAsync(HttpContext context, MetaService meta)
    {
        var (body, action, user, name) = await ReadActionAsync(context, "user");
        using var _ = body;
        string password = user.TryGetProperty("password", out var p) ? p.GetString() ?? "" : "";
        RequireLeader(meta);
        var ct = context.RequestAborted;
        switch (action)
        {
            case "create":
                await meta.ExecuteAsync(new CreateUserCommand(name, Passwords.Hash(password), Admin: false), ct);
                foreach (var (db, privilege, admin) in Permissions(user))
                    await meta.ExecuteAsync(admin ? new SetAdminPrivilegeCommand(name, true) : new SetPrivilegeCommand(name, db, privilege), ct);
                break;
            case "delete":
                await meta.ExecuteAsync(new DropUserCommand(name), ct);
                break;
            case "change-password":
                await meta.ExecuteAsync(new UpdateUserCommand(name, Passwords.Hash(password)), ct);
                break;
            case "add-permissions":
            case "remove-permissions":
                var existing = meta.Consensus.State.User(name) ?? throw new MetaApiException(404, "user not found");
                foreach (var (db, privilege, admin) in Permissions(user))
                {
                    if (admin) { await meta.ExecuteAsync(new SetAdminPrivilegeCommand(name, action == "add-permissions"), ct); continue; }
                    var current = existing.PrivilegeOn(db);
                    var next = action == "add-permissions" ? current | privilege : current & ~privilege;
                    await meta.ExecuteAsync(new SetPrivilegeCommand(name, db, next), ct);
                }
                break;
            default:
                throw new MetaApiException(400, $"unknown action \"{action}\"");
        }
        await EmptyAsync(context);
    }

    private static IEnumerable<(string Database, UserPrivilege Privilege, bool Admin)> Permissions(JsonElement user)
    {
        if (!user.TryGetProperty("permissions", out var permissions) || permissions.ValueKind != JsonValueKind.Object) yield break;
        foreach (var resource in permissions.EnumerateObject())
        {
            var privilege = UserPrivilege.None;
            bool admin = false;
            foreach (var item in resource.Value.EnumerateArray())
            {
                switch (item.GetString())
                {
                    case "ReadData": privilege |= UserPrivilege.Read; break;
                    case "WriteData": privilege |= UserPrivilege.Write; break;
                    case "ViewAdmin" or "CreateUserAndRole" or "AddRemoveNode": admin = resource.Name.Length == 0; break;
                }
            }
            if (admin) yield return ("", UserPrivilege.All, true);
            else if (resource.Name.Length > 0) yield return (resource.Name, privilege, false);
        }
    }

    /// <summary>POST /execute: a data node forwards one encoded meta command; the reply is the state machine's result.</summary>
    private static async Task ExecuteAsync(HttpContext context, MetaService meta)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        MetaCommand command;
        try { command = MetaCommandCodec.Decode(buffer.ToArray()); }
        catch (InvalidDataException e) { throw new MetaApiException(400, e.Message); }
        RequireLeader(meta);
        if (command is CreateDataNodeCommand c) command = c with { MaxDataNodes = meta.License.License.MaxDataNodes };
        var result = await meta.Consensus.ProposeAsync(command, context.RequestAborted);
        var reply = new ExecuteReply((int)result.Code, result.Message, result.Index, result.Changed, result.ShardGroupId, result.NodeId);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, reply, MetaJsonContext.Default.ExecuteReply, context.RequestAborted);
    }

    /// <summary>
    /// POST /join (form <c>addr</c>: a meta node of the cluster to join): this meta node asks that cluster to add it,
    /// as `add-meta THIS` sent there would. Answers the node as added.
    /// </summary>
    private static async Task JoinAsync(HttpContext context, MetaService meta)
    {
        var form = await FormAsync(context);
        string addr = Required(form, context, "addr");
        var node = await meta.JoinClusterAsync(addr, context.RequestAborted);
        await WriteNodeAsync(context, node);
    }

    /// <summary>POST /leave: this meta node asks its cluster's leader to remove it.</summary>
    private static async Task LeaveAsync(HttpContext context, MetaService meta)
    {
        await meta.LeaveClusterAsync(context.RequestAborted);
        await EmptyAsync(context);
    }

    /// <summary>POST /announce (form tcpAddr, httpAddr): a joined data node reports the HTTP address it serves on now.</summary>
    private static async Task AnnounceAsync(HttpContext context, MetaService meta)
    {
        var form = await FormAsync(context);
        string tcpAddr = Required(form, context, "tcpAddr");
        string httpAddr = Required(form, context, "httpAddr");
        RequireLeader(meta);
        var node = meta.Consensus.State.DataNodes.FirstOrDefault(n => n.TcpAddr == tcpAddr)
            ?? throw new MetaApiException(404, $"data node {tcpAddr} is not a member of the cluster");
        if (node.HttpAddr != httpAddr) await meta.ExecuteAsync(new UpdateDataNodeCommand(node.Id, httpAddr, tcpAddr), context.RequestAborted);
        await EmptyAsync(context);
    }

    private static Task WriteNodeAsync(HttpContext context, NodeInfo node)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        return InfluxResponses.WriteJsonAsync(context, json =>
        {
            json.WriteStartObject();
            json.WriteNumber("id", node.Id);
            json.WriteString("addr", node.HttpAddr);
            json.WriteString("tcpAddr", node.TcpAddr);
            json.WriteEndObject();
        });
    }

    private static Task EmptyAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        return InfluxResponses.WriteJsonAsync(context, json => { json.WriteStartObject(); json.WriteEndObject(); });
    }

    /// <summary>307 to the same path and query on the leader, or 503 when no leader is known.</summary>
    private static Task RedirectOrUnavailableAsync(HttpContext context, string? leaderHttp)
    {
        if (leaderHttp is null)
            return InfluxResponses.ErrorAsync(context, StatusCodes.Status503ServiceUnavailable, "no meta leader is elected; retry");
        context.Response.StatusCode = StatusCodes.Status307TemporaryRedirect;
        context.Response.Headers.Location = $"http://{leaderHttp}{context.Request.Path}{context.Request.QueryString}";
        return InfluxResponses.ErrorAsync(context, StatusCodes.Status307TemporaryRedirect, "not the meta leader; the leader is " + leaderHttp);
    }
}
