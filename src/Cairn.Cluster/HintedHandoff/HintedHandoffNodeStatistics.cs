namespace Cairn.Cluster.HintedHandoff;

/// <summary>
/// One destination's queue, as InfluxDB Enterprise's <c>hh_processor</c> measurement (tags <c>node</c>, <c>path</c>).
/// </summary>
/// <param name="Node">The destination data node.</param>
/// <param name="Path">The queue's directory.</param>
/// <param name="QueueBytes">Bytes of the queue's segment files on disk; compared with <c>max-size</c>.</param>
/// <param name="QueueDepth">Entries not yet delivered or dropped.</param>
/// <param name="BytesRead">Record bytes read back from the queue for replay.</param>
/// <param name="BytesWritten">Record bytes appended to the queue.</param>
/// <param name="WriteBlocked">Appends refused with "queue is full".</param>
/// <param name="WriteDropped">Entries dropped: refused by the node, older than <c>max-age</c>, or damaged on disk.</param>
/// <param name="WriteNodeReq">Entries delivered to the node.</param>
/// <param name="WriteNodeReqFail">Delivery attempts that failed and will be retried.</param>
/// <param name="WriteNodeReqPoints">Points in the delivered entries.</param>
/// <param name="WriteShardReq">Appends asked for (refused ones included).</param>
/// <param name="WriteShardReqPoints">Points in the appends asked for.</param>
public sealed record HintedHandoffNodeStatistics(
    ulong Node,
    string Path,
    long QueueBytes,
    long QueueDepth,
    long BytesRead,
    long BytesWritten,
    long WriteBlocked,
    long WriteDropped,
    long WriteNodeReq,
    long WriteNodeReqFail,
    long WriteNodeReqPoints,
    long WriteShardReq,
    long WriteShardReqPoints);
