using System.Buffers;

namespace Cairn.Common.Net.Rpc;

/// <summary>
/// Serialises frames from concurrent callers onto one connection's stream. A caller waits for the
/// writer lock with its own token (giving up there is harmless), but once its frame has started
/// the write runs to the end under the connection's lifetime: cancelling halfway through a frame
/// would leave the stream unreadable for every other call.
/// A small frame goes out as one write of header and payload; a large payload is written straight
/// from the caller's memory after its header, so a shard's points cost one copy into the socket
/// rather than one per buffer segment.
/// </summary>
internal sealed class RpcFrameWriter
{
    /// <summary>Up to this many payload bytes are copied next to the header and sent in one write.</summary>
    private const int CoalesceLimit = 16 << 10;

    private readonly Stream _output;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly CancellationToken _lifetime;
    private readonly Action<Exception> _onFailure;
    private readonly byte[] _header = new byte[RpcFrame.HeaderSize];
    private long _bytesWritten;

    public RpcFrameWriter(Stream output, CancellationToken lifetime, Action<Exception> onFailure)
    {
        _output = output;
        _lifetime = lifetime;
        _onFailure = onFailure;
    }

    public long BytesWritten => Volatile.Read(ref _bytesWritten);

    public async Task WriteAsync(RpcFrameHeader header, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        var write = WriteAndReleaseAsync(header, payload);
        // A small payload was copied before the first await: the caller may go at once.
        if (payload.Length <= CoalesceLimit || write.IsCompleted)
        {
            await write.WaitAsync(cancellationToken);
            return;
        }
        try
        {
            await write.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && !write.IsCompleted)
        {
            // The payload is the caller's and must not be read once this returns. A frame cut short leaves the
            // stream unreadable anyway, so the connection goes, which ends the write.
            _onFailure(new IOException("a call gave up while its frame was being sent"));
            try { await write.ConfigureAwait(false); }
            catch (Exception e) when (e is IOException or ObjectDisposedException or System.Net.Sockets.SocketException or OperationCanceledException) { }
            throw;
        }
    }

    private async Task WriteAndReleaseAsync(RpcFrameHeader header, ReadOnlyMemory<byte> payload)
    {
        byte[]? coalesced = null;
        try
        {
            int frameBytes = RpcFrame.HeaderSize + payload.Length;
            if (payload.Length <= CoalesceLimit)
            {
                coalesced = ArrayPool<byte>.Shared.Rent(frameBytes);
                RpcFrame.WriteHeader(coalesced, header, payload.Length);
                payload.Span.CopyTo(coalesced.AsSpan(RpcFrame.HeaderSize));
                await _output.WriteAsync(coalesced.AsMemory(0, frameBytes), _lifetime).ConfigureAwait(false);
            }
            else
            {
                RpcFrame.WriteHeader(_header, header, payload.Length);
                await _output.WriteAsync(_header, _lifetime).ConfigureAwait(false);
                await _output.WriteAsync(payload, _lifetime).ConfigureAwait(false);
            }
            Interlocked.Add(ref _bytesWritten, frameBytes);
        }
        catch (Exception e)
        {
            _onFailure(e);
            throw e is OperationCanceledException ? new IOException("the connection is closed", e) : e;
        }
        finally
        {
            if (coalesced is not null) ArrayPool<byte>.Shared.Return(coalesced);
            _lock.Release();
        }
    }
}
