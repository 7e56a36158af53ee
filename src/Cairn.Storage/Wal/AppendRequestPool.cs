using System.Collections.Concurrent;

namespace Cairn.Storage.Wal;

/// <summary>Free <see cref="AppendRequest"/>s of one WAL, at most <c>capacity</c> kept.</summary>
internal sealed class AppendRequestPool(int capacity)
{
    private readonly ConcurrentQueue<AppendRequest> _free = new();
    private int _count;

    public AppendRequest Rent()
    {
        if (_free.TryDequeue(out var request))
        {
            Interlocked.Decrement(ref _count);
            return request;
        }
        return new AppendRequest(this);
    }

    public void Return(AppendRequest request)
    {
        if (Interlocked.Increment(ref _count) <= capacity) _free.Enqueue(request);
        else Interlocked.Decrement(ref _count);
    }
}
