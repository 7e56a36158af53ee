namespace Cairn.Cluster.HintedHandoff;

/// <summary>
/// Sends one queued write to its node. Throw <see cref="HintedWriteRejectedException"/> when the node refused it
/// for good (the entry is dropped and counted in <c>writeDropped</c>); any other exception means "not now" and the
/// entry is retried after a back-off. <paramref name="request"/> is valid only until the returned task completes.
/// </summary>
public delegate Task HintedWriteSender(ulong nodeId, ulong shardId, ReadOnlyMemory<byte> request, CancellationToken ct);
