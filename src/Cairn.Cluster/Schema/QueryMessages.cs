namespace Cairn.Cluster.Schema;

/// <summary>One query running on a data node, as <see cref="ClusterMethod.ListQueries"/> reports it.</summary>
public readonly record struct NodeQuery(ulong Id, string Text, string Database, TimeSpan Duration, string Status);

/// <summary>
/// The payloads of <see cref="ClusterMethod.ListQueries"/> and <see cref="ClusterMethod.KillQuery"/>.
/// </summary>
/// <remarks>
/// ListQueries request: <c>u8 version (1)</c>. Response:
/// <code>
/// | u8  | version (1)                                                    |
/// | u32 | queries, then per query:                                       |
/// |       u64 qid, string query, string database, i64 duration (ticks), |
/// |       string status                                                  |
/// </code>
/// KillQuery request: <c>u8 version (1), u64 qid</c>. Response: <c>u8 version (1), bool killed</c> (false: no such qid).
/// </remarks>
public static class QueryMessages
{
    private const byte Version = 1;

    public static ReadOnlyMemory<byte> ListRequest() => new WireWriter(1).U8(Version).Written;

    /// <summary>Checks a ListQueries request (it carries only its version).</summary>
    public static void ReadListRequest(ReadOnlyMemory<byte> payload) => CheckVersion(new WireReader(payload).U8());

    public static ReadOnlyMemory<byte> ListResponse(IReadOnlyList<NodeQuery> queries)
    {
        var writer = new WireWriter(64 * (queries.Count + 1)).U8(Version).U32((uint)queries.Count);
        foreach (var q in queries) writer.U64(q.Id).String(q.Text).String(q.Database).I64(q.Duration.Ticks).String(q.Status);
        return writer.Written;
    }

    public static List<NodeQuery> ReadListResponse(ReadOnlyMemory<byte> payload)
    {
        var reader = new WireReader(payload);
        CheckVersion(reader.U8());
        uint count = reader.U32();
        var queries = new List<NodeQuery>((int)Math.Min(count, 4096));
        for (uint i = 0; i < count; i++)
            queries.Add(new NodeQuery(reader.U64(), reader.String(), reader.String(), TimeSpan.FromTicks(reader.I64()), reader.String()));
        return queries;
    }

    public static ReadOnlyMemory<byte> KillRequest(ulong queryId) => new WireWriter(9).U8(Version).U64(queryId).Written;

    public static ulong ReadKillRequest(ReadOnlyMemory<byte> payload)
    {
        var reader = new WireReader(payload);
        CheckVersion(reader.U8());
        return reader.U64();
    }

    public static ReadOnlyMemory<byte> KillResponse(bool killed) => new WireWriter(2).U8(Version).Bool(killed).Written;

    public static bool ReadKillResponse(ReadOnlyMemory<byte> payload)
    {
        var reader = new WireReader(payload);
        CheckVersion(reader.U8());
        return reader.Bool();
    }

    private static void CheckVersion(byte version)
    {
        if (version != Version) throw new InvalidDataException("query message: unknown version " + version);
    }
}
