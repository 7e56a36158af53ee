namespace Cairn.Storage.Shards;

/// <summary>
/// Keeps a <see cref="ShardFileReader"/>'s mapping alive. Dispose exactly when done with every span and
/// entry taken from the reader; a second Dispose does nothing.
/// </summary>
public sealed class ShardFileLease : IDisposable
{
    private ShardFileReader? _reader;

    internal ShardFileLease(ShardFileReader reader) => _reader = reader;

    public ShardFileReader Reader => _reader ?? throw new ObjectDisposedException(nameof(ShardFileLease));

    public void Dispose() => Interlocked.Exchange(ref _reader, null)?.Release();
}
