namespace Cairn.Meta.Ctl;

/// <summary>How a call to the meta API ended.</summary>
internal enum MetaCallStatus
{
    Ok,
    /// <summary>No connection: refused, no such host, unreachable network, TLS failure.</summary>
    Unreachable,
    /// <summary>No complete answer within -timeout.</summary>
    TimedOut,
    /// <summary>401: missing or wrong credentials.</summary>
    Unauthorized,
    /// <summary>Any other 4xx/5xx; <see cref="MetaCall{T}.Error"/> holds the server's <c>error</c>.</summary>
    Refused,
    /// <summary>More than <see cref="MetaApiClient.MaxRedirects"/> 307 hops.</summary>
    TooManyRedirects,
    /// <summary>A 2xx whose body is not what the API documents.</summary>
    BadResponse,
}

/// <summary>The outcome of one meta API call (redirects included): a value, or a status and a readable error.</summary>
internal readonly record struct MetaCall<T>(MetaCallStatus Status, T? Value, string Error)
{
    public bool IsOk => Status == MetaCallStatus.Ok;

    public static MetaCall<T> Ok(T value) => new(MetaCallStatus.Ok, value, "");

    public static MetaCall<T> Failed(MetaCallStatus status, string error) => new(status, default, error);

    public MetaCall<TOther> As<TOther>() => new(Status, default, Error);
}
