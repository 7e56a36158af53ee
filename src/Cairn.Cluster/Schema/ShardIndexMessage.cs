using System.Text;
using Cairn.Storage;
using Cairn.Storage.Index;

namespace Cairn.Cluster.Schema;

/// <summary>
/// The payloads of <see cref="ClusterMethod.ShardIndex"/>: one shard's whole series index for meta queries.
/// </summary>
/// <remarks>
/// Request:
/// <code>
/// | u8     | version (1)   |
/// | string | database      |
/// | u64    | shard id      |
/// </code>
/// Response:
/// <code>
/// | u8     | version (1)                                        |
/// | bool   | present: the owner holds the shard                 |
/// | u32    | measurements, then per measurement:                |
/// |   string | name                                             |
/// |   u32    | fields, then per field: string key, u8 FieldType |
/// |   u32    | series, then per series: bytes canonical key     |
/// </code>
/// </remarks>
public static class ShardIndexMessage
{
    private const byte Version = 1;

    public static ReadOnlyMemory<byte> Request(string database, ulong shardId) =>
        new WireWriter(32 + database.Length).U8(Version).String(database).U64(shardId).Written;

    public static (string Database, ulong ShardId) ReadRequest(ReadOnlyMemory<byte> payload)
    {
        var reader = new WireReader(payload);
        CheckVersion(reader.U8());
        return (reader.String(), reader.U64());
    }

    /// <summary>The response for <paramref name="index"/>, or for a shard this node does not hold (null).</summary>
    public static ReadOnlyMemory<byte> Response(SeriesIndex? index)
    {
        var writer = new WireWriter(4096).U8(Version).Bool(index is not null);
        if (index is null) return writer.U32(0).Written;
        var measurements = index.Measurements();
        writer.U32((uint)measurements.Length);
        foreach (var m in measurements)
        {
            writer.String(m);
            var fields = index.Fields(m);
            writer.U32((uint)fields.Length);
            foreach (var (key, type) in fields) writer.String(key).U8((byte)type);
            var ids = index.SeriesIds(m);
            var keys = new List<byte[]>(ids.Length);
            foreach (uint id in ids)
                if (index.SeriesKey(id) is { } key) keys.Add(key);
            writer.U32((uint)keys.Count);
            foreach (var key in keys) writer.Bytes(key);
        }
        return writer.Written;
    }

    /// <summary>Fills <paramref name="view"/> from a response; false when the owner does not hold the shard.</summary>
    public static bool ReadResponse(ReadOnlyMemory<byte> payload, RemoteShardView view)
    {
        var reader = new WireReader(payload);
        CheckVersion(reader.U8());
        bool present = reader.Bool();
        uint measurements = reader.U32();
        for (uint i = 0; i < measurements; i++)
        {
            byte[] name = Encoding.UTF8.GetBytes(reader.String());
            uint fields = reader.U32();
            for (uint f = 0; f < fields; f++)
            {
                var key = reader.Bytes();
                byte type = reader.U8();
                if (type is < (byte)FieldType.Float or > (byte)FieldType.String) throw new InvalidDataException("shard index: unknown field type " + type);
                view.AddField(name, key.Span, (FieldType)type);
            }
            uint series = reader.U32();
            for (uint s = 0; s < series; s++) view.Add(reader.Bytes().Span);
        }
        return present;
    }

    private static void CheckVersion(byte version)
    {
        if (version != Version) throw new InvalidDataException("shard index: unknown message version " + version);
    }
}
