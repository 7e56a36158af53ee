using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Cairn.Common.Config;

namespace Cairn.Meta.Ctl;

/// <summary>
/// `cairn ctl`'s HTTP client of the meta API (docs/meta-api.md). Every call has the -timeout
/// deadline (redirect hops included); a 307 or 308 is followed by re-sending the same method,
/// body and credentials to its Location, at most <see cref="MaxRedirects"/> times, because a
/// follower answers mutations that way and HttpClient's own redirect handling drops
/// the Authorization header on a new host.
/// </summary>
internal sealed class MetaApiClient : IDisposable
{
    public const int MaxRedirects = 5;

    private const string FormContentType = "application/x-www-form-urlencoded";

    private readonly HttpClient _http;
    private readonly CtlOptions _options;
    private readonly TimeProvider _time;

    public MetaApiClient(CtlOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            // The meta API is cluster-internal: never route it through an HTTP(S)_PROXY.
            UseProxy = false,
            ConnectTimeout = options.Timeout,
        };
        if (options.BindTls && options.SkipTlsVerify)
            handler.SslOptions.RemoteCertificateValidationCallback = static (_, _, _, _) => true;
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("cairn-ctl", Cairn.Common.BuildInfo.Version));
    }

    /// <summary>The URL of a meta node as the messages name it, e.g. http://meta1:8091.</summary>
    public string NodeUrl(string address) => $"{_options.Scheme}://{address}";

    public async Task<MetaCall<T>> GetAsync<T>(string address, string pathAndQuery, JsonTypeInfo<T> type, CancellationToken ct)
    {
        var call = await ExchangeAsync(HttpMethod.Get, address, pathAndQuery, form: null, ct).ConfigureAwait(false);
        return Decode(call, address, type);
    }

    public async Task<MetaCall<T>> PostAsync<T>(string address, string path, IReadOnlyList<KeyValuePair<string, string>> form, JsonTypeInfo<T> type, CancellationToken ct)
    {
        var call = await ExchangeAsync(HttpMethod.Post, address, path, EncodeForm(form), ct).ConfigureAwait(false);
        return Decode(call, address, type);
    }

    /// <summary>A POST whose answer carries nothing the caller needs (<c>{}</c> or 204).</summary>
    public Task<MetaCall<byte[]>> PostAsync(string address, string path, IReadOnlyList<KeyValuePair<string, string>> form, CancellationToken ct) =>
        ExchangeAsync(HttpMethod.Post, address, path, EncodeForm(form), ct);

    /// <summary>Sends one request and follows 307/308; the body of the final 2xx answer is the value.</summary>
    public async Task<MetaCall<byte[]>> ExchangeAsync(HttpMethod method, string address, string pathAndQuery, string? form, CancellationToken ct)
    {
        var url = new Uri(NodeUrl(address) + pathAndQuery);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(_options.Timeout);
        try
        {
            for (int hop = 0; ; hop++)
            {
                using var request = new HttpRequestMessage(method, url);
                if (form is not null) request.Content = new StringContent(form, Encoding.UTF8, FormContentType);
                AddCredentials(request);
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, deadline.Token).ConfigureAwait(false);
                if (response.StatusCode is HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect)
                {
                    var location = response.Headers.Location;
                    if (location is null)
                        return MetaCall<byte[]>.Failed(MetaCallStatus.BadResponse, $"meta node at {Origin(url)} answered {(int)response.StatusCode} without a Location");
                    if (hop == MaxRedirects)
                        return MetaCall<byte[]>.Failed(MetaCallStatus.TooManyRedirects, $"more than {MaxRedirects} redirects, the last from {Origin(url)} to {location}");
                    url = location.IsAbsoluteUri ? location : new Uri(url, location);
                    continue;
                }
                var body = await response.Content.ReadAsByteArrayAsync(deadline.Token).ConfigureAwait(false);
                if (response.IsSuccessStatusCode) return MetaCall<byte[]>.Ok(body);
                var status = response.StatusCode == HttpStatusCode.Unauthorized ? MetaCallStatus.Unauthorized : MetaCallStatus.Refused;
                return MetaCall<byte[]>.Failed(status, ErrorText(response, body));
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return MetaCall<byte[]>.Failed(MetaCallStatus.TimedOut, $"no answer from meta node at {Origin(url)} within {GoDuration.Format(_options.Timeout)}");
        }
        catch (HttpRequestException e)
        {
            return MetaCall<byte[]>.Failed(MetaCallStatus.Unreachable, $"unable to connect to meta node at {Origin(url)}: {Reason(e)}");
        }
    }

    private void AddCredentials(HttpRequestMessage request)
    {
        switch (_options.AuthType)
        {
            case CtlAuthType.Basic:
                var pair = Convert.ToBase64String(Encoding.UTF8.GetBytes(_options.User + ":" + _options.Password));
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic", pair);
                break;
            case CtlAuthType.Jwt:
                // A fresh token per request, so a long redirect chain or a slow command never sends an expired one.
                var token = BearerToken.Create(_options.User, _options.Secret, _time.GetUtcNow() + BearerToken.DefaultLifetime);
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                break;
        }
    }

    private static MetaCall<T> Decode<T>(MetaCall<byte[]> call, string address, JsonTypeInfo<T> type)
    {
        if (!call.IsOk) return call.As<T>();
        try
        {
            var value = JsonSerializer.Deserialize(call.Value!, type);
            if (value is not null) return MetaCall<T>.Ok(value);
        }
        catch (JsonException)
        {
        }
        var text = Encoding.UTF8.GetString(call.Value!).Trim();
        return MetaCall<T>.Failed(MetaCallStatus.BadResponse, $"unexpected answer from meta node at {address}: {Shorten(text)}");
    }

    private static string ErrorText(HttpResponseMessage response, byte[] body)
    {
        try
        {
            if (JsonSerializer.Deserialize(body, MetaApiJson.Default.MetaErrorBody) is { Error: { Length: > 0 } error })
                return error;
        }
        catch (JsonException)
        {
        }
        var text = Encoding.UTF8.GetString(body).Trim();
        var status = $"{(int)response.StatusCode} {response.ReasonPhrase}";
        return text.Length == 0 ? status : $"{status}: {Shorten(text)}";
    }

    private static string Shorten(string text) => text.Length <= 200 ? text : text[..200] + "…";

    private static string Origin(Uri url) => url.GetLeftPart(UriPartial.Authority);

    /// <summary>The cause of a failed connection in the words Go's net package uses.</summary>
    private static string Reason(HttpRequestException e)
    {
        if (e.HttpRequestError == HttpRequestError.NameResolutionError) return "no such host";
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            switch (inner)
            {
                case SocketException socket:
                    return socket.SocketErrorCode switch
                    {
                        SocketError.ConnectionRefused => "connection refused",
                        SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "no such host",
                        SocketError.TimedOut => "i/o timeout",
                        SocketError.NetworkUnreachable => "network is unreachable",
                        SocketError.HostUnreachable => "no route to host",
                        SocketError.ConnectionReset => "connection reset by peer",
                        _ => socket.Message,
                    };
                case AuthenticationException tls:
                    return "TLS handshake failed: " + tls.Message;
            }
        }
        return e.Message;
    }

    private static string EncodeForm(IReadOnlyList<KeyValuePair<string, string>> form)
    {
        var sb = new StringBuilder();
        foreach (var (key, value) in form)
        {
            if (sb.Length > 0) sb.Append('&');
            sb.Append(Uri.EscapeDataString(key)).Append('=').Append(Uri.EscapeDataString(value));
        }
        return sb.ToString();
    }

    public void Dispose() => _http.Dispose();
}
