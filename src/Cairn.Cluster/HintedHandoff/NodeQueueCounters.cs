namespace Cairn.Cluster.HintedHandoff;

/// <summary>The running totals behind one <see cref="HintedHandoffNodeStatistics"/>; updated with <see cref="Interlocked"/>.</summary>
internal sealed class NodeQueueCounters
{
    public long BytesRead;
    public long BytesWritten;
    public long WriteBlocked;
    public long WriteDropped;
    public long WriteNodeReq;
    public long WriteNodeReqFail;
    public long WriteNodeReqPoints;
    public long WriteShardReq;
    public long WriteShardReqPoints;
}
