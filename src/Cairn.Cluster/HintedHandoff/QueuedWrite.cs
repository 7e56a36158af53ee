namespace Cairn.Cluster.HintedHandoff;

/// <summary>A record read from a queue. <see cref="Request"/> is the queue's read buffer: valid until the next read.</summary>
internal readonly record struct QueuedWrite(ulong ShardId, int Points, long EnqueuedNs, ReadOnlyMemory<byte> Request, int RecordLength);
