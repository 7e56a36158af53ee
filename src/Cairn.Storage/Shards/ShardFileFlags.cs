namespace Cairn.Storage.Shards;

/// <summary>
/// Flags stored in both the header and the footer of a shard file; the two copies must agree.
/// Readers refuse bits they do not know, so a new meaning needs a new bit.
/// </summary>
[Flags]
public enum ShardFileFlags : byte
{
    None = 0,

    /// <summary>
    /// Reserved for tombstones: deletes live in a sidecar next to the file (not yet written). A reader
    /// that sees this bit must apply the sidecar before answering a query.
    /// </summary>
    Tombstones = 1,
}
