using System.Threading.Tasks.Sources;

namespace Cairn.Storage.Wal;

internal enum RequestKind : byte
{
    Append,
    Roll,
}

/// <summary>
/// One queued append (or roll) and the awaitable its caller holds. Pooled: the caller's await
/// hands it back to the pool, so an append allocates nothing in the steady state. The payload is
/// the caller's memory, written in place by the group's gather write, never copied.
/// </summary>
internal sealed class AppendRequest : IValueTaskSource<long>
{
    private readonly AppendRequestPool _pool;
    private ManualResetValueTaskSourceCore<long> _core;

    public AppendRequest(AppendRequestPool pool)
    {
        _pool = pool;
        // Continuations never run on the writer loop: one slow caller must not stall a group commit.
        _core.RunContinuationsAsynchronously = true;
    }

    public RequestKind Kind { get; private set; }

    /// <summary>The 9-byte entry header: length, CRC, type.</summary>
    public byte[] Header { get; } = new byte[WalFormat.EntryHeaderSize];

    public ReadOnlyMemory<byte> Payload { get; private set; }

    /// <summary>Set by the writer when it places the entry.</summary>
    public long Sequence { get; set; }

    public long EntrySize => WalFormat.EntryHeaderSize + Payload.Length;

    /// <summary>Encodes the header and CRC on the appender's thread, so appenders checksum in parallel.</summary>
    public void PrepareAppend(byte type, ReadOnlyMemory<byte> payload)
    {
        Kind = RequestKind.Append;
        Payload = payload;
        WalFormat.WriteEntryHeader(Header, type, payload.Span);
    }

    public void PrepareRoll()
    {
        Kind = RequestKind.Roll;
        Payload = default;
    }

    public ValueTask<long> AsValueTask() => new(this, _core.Version);

    public void Complete(long result) => _core.SetResult(result);

    public void Fail(Exception error) => _core.SetException(error);

    /// <summary>Back to the pool without ever having been handed out.</summary>
    public void Discard()
    {
        Payload = default;
        _pool.Return(this);
    }

    public long GetResult(short token)
    {
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            Payload = default;
            _core.Reset();
            _pool.Return(this);
        }
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
