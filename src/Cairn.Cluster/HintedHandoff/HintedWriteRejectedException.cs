namespace Cairn.Cluster.HintedHandoff;

/// <summary>
/// Thrown by a <see cref="HintedWriteSender"/> when the destination answered and refused the write for good
/// (the shard is gone, the request is malformed): retrying can never succeed, so the entry is dropped.
/// </summary>
public sealed class HintedWriteRejectedException(string message) : Exception(message);
