namespace Cairn.Common.Net.Rpc;

/// <summary>
/// The u16 status of a response frame. Values below 256 belong to the framing and mean the
/// same thing on every service; a service may answer its own outcomes with 256 and above,
/// which callers receive unchanged in <see cref="RpcException.Status"/>.
/// </summary>
public enum RpcStatus : ushort
{
    Ok = 0,
    /// <summary>The request was malformed: bad payload, no deadline, or a frame over the size limit.</summary>
    BadRequest = 1,
    /// <summary>The handshake proof did not match: the internal shared secrets differ.</summary>
    Unauthorized = 2,
    UnknownMethod = 3,
    DeadlineExceeded = 4,
    /// <summary>The handler failed; the payload carries its message.</summary>
    Internal = 5,
    /// <summary>The server is stopping, or the connection was lost before the answer came.</summary>
    Unavailable = 6,
}
