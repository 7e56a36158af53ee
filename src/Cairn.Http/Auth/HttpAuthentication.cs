using System.Buffers;
using System.Text;
using Cairn.Meta.Auth;
using Cairn.Meta.Store;
using Cairn.Query.Results;
using Microsoft.AspNetCore.Http;

namespace Cairn.Http.Auth;

/// <summary>
/// <c>[http] auth-enabled</c>: who sent a request, as InfluxDB 1.x's httpd handler decides it (handler.go
/// authenticate and parseCredentials). Credentials come, in this order, from the <c>u</c> and <c>p</c> URL
/// parameters, <c>Authorization: Bearer &lt;JWT&gt;</c>, <c>Authorization: Token user:pass</c>, or Basic auth.
/// Until an admin user exists requests pass without credentials, so the first admin can be created.
/// </summary>
public sealed class HttpAuthentication
{
    private static readonly object UserKey = new();

    private readonly IMetaStore _meta;
    private readonly PasswordHasher _passwords;
    private readonly string _realm;
    private readonly byte[] _sharedSecret;
    private readonly TimeProvider _time;

    /// <param name="meta">Where users are.</param>
    /// <param name="passwords">Checks passwords (and caches successful checks).</param>
    /// <param name="enabled"><c>[http] auth-enabled</c>; when false every request passes as no user.</param>
    /// <param name="realm"><c>[http] realm</c>, sent in <c>WWW-Authenticate</c> with a 401.</param>
    /// <param name="sharedSecret"><c>[http] shared-secret</c>: the HMAC key of JWT bearer tokens ("" turns them off).</param>
    /// <param name="timeProvider">The clock JWT expiry is checked against.</param>
    public HttpAuthentication(IMetaStore meta, PasswordHasher passwords, bool enabled, string realm = "InfluxDB", string sharedSecret = "",
        TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(meta);
        ArgumentNullException.ThrowIfNull(passwords);
        _meta = meta;
        _passwords = passwords;
        Enabled = enabled;
        _realm = realm ?? "InfluxDB";
        _sharedSecret = Encoding.UTF8.GetBytes(sharedSecret ?? "");
        _time = timeProvider ?? TimeProvider.System;
    }

    public bool Enabled { get; }

    public IMetaStore Meta => _meta;

    /// <summary>The user <see cref="TryAuthenticateAsync"/> found for this request; null when none (auth off, or no admin yet).</summary>
    public static UserInfo? UserOf(HttpContext context) => context.Items.TryGetValue(UserKey, out var user) ? user as UserInfo : null;

    /// <summary>
    /// Authenticates the request. False means it was refused and the 401 has been written; true means go on,
    /// with the user (if any) available from <see cref="UserOf"/>.
    /// </summary>
    public async ValueTask<bool> TryAuthenticateAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!Enabled) return true;
        var state = _meta.Current;
        if (!state.HasAdminUser) return true;

        var (user, error) = Authenticate(context.Request, state);
        if (user is null)
        {
            await WriteUnauthorizedAsync(context, error!).ConfigureAwait(false);
            return false;
        }
        context.Items[UserKey] = user;
        return true;
    }

    private (UserInfo? User, string? Error) Authenticate(HttpRequest request, MetaState state)
    {
        string u = request.Query["u"].ToString(), p = request.Query["p"].ToString();
        if (u.Length != 0 && p.Length != 0) return Password(state, u, p);

        string header = request.Headers.Authorization.ToString();
        if (header.Length != 0)
        {
            var parts = header.Split(' ');
            if (parts.Length == 2)
            {
                if (parts[0] == "Bearer") return Bearer(state, parts[1]);
                if (parts[0] == "Token")
                {
                    int colon = parts[1].IndexOf(':');
                    if (colon >= 0) return Password(state, parts[1][..colon], parts[1][(colon + 1)..]);
                }
            }
            if (TryParseBasic(header, out var basicUser, out var basicPassword)) return Password(state, basicUser, basicPassword);
        }
        return (null, "unable to parse authentication credentials");
    }

    private (UserInfo?, string?) Password(MetaState state, string name, string password)
    {
        if (name.Length == 0) return (null, "username required");
        var user = state.User(name);
        if (user is null || !_passwords.Verify(name, password, user.Hash)) return (null, "authorization failed");
        return (user, null);
    }

    private (UserInfo?, string?) Bearer(MetaState state, string token)
    {
        if (_sharedSecret.Length == 0) return (null, "bearer auth disabled");
        long now = _time.GetUtcNow().ToUnixTimeSeconds();
        if (!JwtToken.TryValidate(token, _sharedSecret, now, out var claims, out var error)) return (null, error);
        if (claims.Expiry is not > 0) return (null, "token expiration required");
        if (claims.Username is null) return (null, "username in token must be a string");
        if (claims.Username.Length == 0) return (null, "token must contain a username");
        var user = state.User(claims.Username);
        return user is null ? (null, MetaErrorsText.UserNotFound) : (user, null);
    }

    // Go's Request.BasicAuth: "Basic " (case-insensitive) then base64 of "user:password".
    private static bool TryParseBasic(string header, out string user, out string password)
    {
        user = password = "";
        const string prefix = "Basic ";
        if (header.Length < prefix.Length || !header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) return false;
        byte[] decoded;
        try { decoded = Convert.FromBase64String(header[prefix.Length..]); }
        catch (FormatException) { return false; }
        var text = Encoding.UTF8.GetString(decoded);
        int colon = text.IndexOf(':');
        if (colon < 0) return false;
        user = text[..colon];
        password = text[(colon + 1)..];
        return true;
    }

    /// <summary>InfluxDB's httpError for 401: a <c>WWW-Authenticate</c> challenge and the error body (no X-Influxdb-Error).</summary>
    private async Task WriteUnauthorizedAsync(HttpContext context, string message)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status401Unauthorized;
        response.Headers.WWWAuthenticate = "Basic realm=\"" + _realm + "\"";
        response.ContentType = "application/json";
        var body = new ArrayBufferWriter<byte>(96);
        QueryResponseJson.WriteError(body, message, pretty: false);
        response.ContentLength = body.WrittenCount;
        await response.Body.WriteAsync(body.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
    }
}

internal static class MetaErrorsText
{
    public const string UserNotFound = "user not found";
}
