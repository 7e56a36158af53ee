namespace Cairn.Meta.Store;

/// <summary>
/// The outcome of one meta command. A refusal is a value: <see cref="Code"/> says what went wrong
/// and <see cref="Message"/> carries InfluxDB's text for it, ready for a client.
/// </summary>
public readonly record struct MetaResult
{
    public MetaErrorCode Code { get; init; }

    /// <summary>InfluxDB's error text, or "" when the command succeeded.</summary>
    public string Message { get; init; }

    /// <summary>The index of the state in which the caller can see the command's effect.</summary>
    public ulong Index { get; init; }

    /// <summary>False when the command succeeded without changing anything (an idempotent repeat).</summary>
    public bool Changed { get; init; }

    /// <summary>For <see cref="CreateShardGroupCommand"/>: the group that covers the timestamp, new or existing.</summary>
    public ulong ShardGroupId { get; init; }

    /// <summary>For the node commands: the node's id, new or existing.</summary>
    public ulong NodeId { get; init; }

    public bool IsOk => Code == MetaErrorCode.None;

    public override string ToString() => IsOk ? $"ok (index {Index}, changed {Changed})" : $"{Code}: {Message}";
}
