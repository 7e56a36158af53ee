using System.Buffers;
using System.IO.Pipelines;

namespace Cairn.Common.Net.Rpc;

/// <summary>
/// Serialises frames from concurrent callers onto one connection. A caller waits for the
/// writer lock with its own token (giving up there is harmless), but once its frame is in the
/// pipe the flush runs to the end under the connection's lifetime: cancelling halfway through
/// a frame would leave the stream unreadable for every other call.
/// </summary>
internal sealed class RpcFrameWriter
{
    private readonly PipeWriter _output;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly CancellationToken _lifetime;
    private readonly Action<Exception> _onFailure;
    private long _bytesWritten;

    public RpcFrameWriter(PipeWriter output, CancellationToken lifetime, Action<Exception> onFailure)
    {
        _output = output;
        _lifetime = lifetime;
        _onFailure = onFailure;
    }

    public long BytesWritten => Volatile.Read(ref _bytesWritten);

    public async Task WriteAsync(RpcFrameHeader header, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        Task flush;
        try
        {
            Encode(header, payload.Span);
            flush = FlushAndReleaseAsync(RpcFrame.HeaderSize + payload.Length);
        }
        catch
        {
            _lock.Release();
            throw;
        }
        await flush.WaitAsync(cancellationToken);
    }

    private void Encode(in RpcFrameHeader header, ReadOnlySpan<byte> payload)
    {
        var span = _output.GetSpan(RpcFrame.HeaderSize);
        RpcFrame.WriteHeader(span, header, payload.Length);
        _output.Advance(RpcFrame.HeaderSize);
        _output.Write(payload);
    }

    private async Task FlushAndReleaseAsync(int frameBytes)
    {
        try
        {
            var result = await _output.FlushAsync(_lifetime);
            if (result.IsCanceled || result.IsCompleted) throw new IOException("the connection is closed");
            Interlocked.Add(ref _bytesWritten, frameBytes);
        }
        catch (Exception e)
        {
            _onFailure(e);
            throw;
        }
        finally
        {
            _lock.Release();
        }
    }
}
