namespace Cairn.Cluster.HintedHandoff;

/// <summary>
/// <see cref="HintedHandoffService.Enqueue"/> refused a write because the destination's queue would pass
/// <c>max-size</c>. The message is InfluxDB Enterprise's, which clients and operators match on.
/// </summary>
public sealed class HintedHandoffQueueFullException : IOException
{
    public const string QueueFullMessage = "queue is full";

    public HintedHandoffQueueFullException(ulong nodeId) : base(QueueFullMessage) => NodeId = nodeId;

    /// <summary>The destination whose queue is full.</summary>
    public ulong NodeId { get; }
}
