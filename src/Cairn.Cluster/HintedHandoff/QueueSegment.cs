using Microsoft.Win32.SafeHandles;

namespace Cairn.Cluster.HintedHandoff;

/// <summary>One segment file of a queue. Fields are guarded by the queue's lock.</summary>
internal sealed class QueueSegment(ulong id, string path)
{
    public ulong Id { get; } = id;

    public string Path { get; } = path;

    /// <summary>Bytes of the header and of whole records; a reader never looks past it.</summary>
    public long Length;

    /// <summary>Whole records in the file.</summary>
    public long Entries;

    /// <summary>The latest enqueue time of its records (Unix ns), so a segment past <c>max-age</c> is dropped unread.</summary>
    public long NewestEnqueuedNs = long.MinValue;

    /// <summary>Open on the tail only; null once the segment is sealed.</summary>
    public SafeFileHandle? Writer;
}
