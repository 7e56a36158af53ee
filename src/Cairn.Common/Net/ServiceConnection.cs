using System.Net.Sockets;

namespace Cairn.Common.Net;

/// <summary>
/// One accepted connection after its service byte: the socket (for shutdown and the peer's address) and the stream
/// to speak on, which is the TLS stream on a TLS port. On a plain port the stream is made only when asked for.
/// </summary>
public sealed class ServiceConnection
{
    private Stream? _stream;

    internal ServiceConnection(Socket socket, Stream? tls)
    {
        Socket = socket;
        _stream = tls;
        IsTls = tls is not null;
        Peer = socket.RemoteEndPoint?.ToString() ?? "peer";
    }

    public Socket Socket { get; }

    public bool IsTls { get; }

    public string Peer { get; }

    /// <summary>The bytes after the service byte; does not own the socket.</summary>
    public Stream Stream => _stream ??= new NetworkStream(Socket, ownsSocket: false);
}
