namespace Cairn.Cluster.HintedHandoff;

/// <summary>
/// <see cref="HintedHandoffService.Enqueue"/> refused a write because <c>max-writes-pending</c> appends were already
/// waiting to enter the destination's queue. An <see cref="IOException"/>, like "queue is full", so the coordinator
/// reports it the same way (<c>write failed: hinted handoff queue has too many pending writes</c>). Enterprise
/// documents no text for this refusal; this one is Cairn's.
/// </summary>
public sealed class HintedHandoffQueueBlockedException : IOException
{
    public const string TooManyPendingMessage = "hinted handoff queue has too many pending writes";

    public HintedHandoffQueueBlockedException(ulong nodeId) : base(TooManyPendingMessage) => NodeId = nodeId;

    /// <summary>The destination whose queue has too many pending appends.</summary>
    public ulong NodeId { get; }
}
