using System.Text;
using Cairn.Storage;
using Cairn.Storage.Index;

namespace Cairn.Cluster.Schema;

/// <summary>
/// The payloads of <see cref="ClusterMethod.ShardIndex"/>: one shard's whole series index for meta queries, in pages
/// of about <see cref="PageBytes"/> so that no shard is too big for one RPC frame.
/// </summary>
/// <remarks>
/// Request:
/// <code>
/// | u8     | version (1)                                                       |
/// | string | database                                                          |
/// | u64    | shard id                                                          |
/// | string | cursor: the measurement to start at ("" for the first)            |
/// | u32    | cursor: start after this series id of that measurement (0: all)   |
/// </code>
/// Response:
/// <code>
/// | u8     | version (1)                                                       |
/// | bool   | present: the owner holds the shard                                |
/// | u32    | measurements, then per measurement:                               |
/// |   string | name                                                          |
/// |   u32    | fields, then per field: string key, u8 FieldType              |
/// |   u32    | series, then per series: u32 id, bytes canonical key          |
/// | bool   | more: another page follows                                        |
/// | string | next cursor: measurement                                          |
/// | u32    | next cursor: after series id                                      |
/// </code>
/// Measurements go in UTF-8 byte order and series by ascending id, so a cursor stays valid while the shard takes
/// writes; a measurement split over pages repeats its name and fields.
/// </remarks>
public static class ShardIndexMessage
{
    private const byte Version = 1;

    /// <summary>About how many bytes one page carries (a page always holds at least one series).</summary>
    public const int PageBytes = 4 << 20;

    public static ReadOnlyMemory<byte> Request(string database, ulong shardId, string fromMeasurement = "", uint afterSeriesId = 0) =>
        new WireWriter(48 + database.Length + fromMeasurement.Length).U8(Version).String(database).U64(shardId)
            .String(fromMeasurement).U32(afterSeriesId).Written;

    public static (string Database, ulong ShardId, string FromMeasurement, uint AfterSeriesId) ReadRequest(ReadOnlyMemory<byte> payload)
    {
        var reader = new WireReader(payload);
        CheckVersion(reader.U8());
        return (reader.String(), reader.U64(), reader.String(), reader.U32());
    }

    /// <summary>
    /// One page of <paramref name="index"/> from the cursor, or the answer for a shard this node does not hold (null).
    /// </summary>
    public static ReadOnlyMemory<byte> Response(SeriesIndex? index, string fromMeasurement = "", uint afterSeriesId = 0, int pageBytes = PageBytes)
    {
        var writer = new WireWriter(4096).U8(Version).Bool(index is not null);
        if (index is null) return writer.U32(0).Bool(false).String("").U32(0).Written;
        byte[] from = Encoding.UTF8.GetBytes(fromMeasurement);
        var measurements = new List<string>();
        foreach (var m in index.Measurements())
            if (Encoding.UTF8.GetBytes(m).AsSpan().SequenceCompareTo(from) >= 0) measurements.Add(m);

        // Gather the page first (the measurement count leads it): whole measurements until the page is full, the
        // last one possibly cut after some series.
        var page = new List<(string Name, (string Key, FieldType Type)[] Fields, List<(uint Id, byte[] Key)> Keys)>();
        (bool More, string Measurement, uint After) next = (false, "", 0);
        long bytes = 0;
        foreach (var m in measurements)
        {
            if (page.Count > 0 && bytes >= pageBytes)
            {
                next = (true, m, 0);
                break;
            }
            uint after = m == fromMeasurement ? afterSeriesId : 0;
            var fields = index.Fields(m);
            var keys = new List<(uint Id, byte[] Key)>();
            bytes += 8 + 2L * m.Length;
            foreach (var (key, _) in fields) bytes += 5 + 2L * key.Length;
            foreach (uint id in index.SeriesIds(m))
            {
                if (id <= after || index.SeriesKey(id) is not { } key) continue;
                if (keys.Count > 0 && bytes >= pageBytes)
                {
                    next = (true, m, keys[^1].Id);
                    break;
                }
                keys.Add((id, key));
                bytes += 8 + key.Length;
            }
            page.Add((m, fields, keys));
            if (next.More) break;
        }

        writer.U32((uint)page.Count);
        foreach (var (name, fields, keys) in page)
        {
            writer.String(name).U32((uint)fields.Length);
            foreach (var (key, type) in fields) writer.String(key).U8((byte)type);
            writer.U32((uint)keys.Count);
            foreach (var (id, key) in keys) writer.U32(id).Bytes(key);
        }
        return writer.Bool(next.More).String(next.Measurement).U32(next.After).Written;
    }

    /// <summary>
    /// Adds one page to <paramref name="view"/>: whether the owner holds the shard, and the cursor of the next page
    /// (null when this was the last).
    /// </summary>
    public static (bool Present, (string Measurement, uint AfterSeriesId)? Next) ReadResponse(ReadOnlyMemory<byte> payload, RemoteShardView view)
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
            for (uint s = 0; s < series; s++)
            {
                reader.U32();
                view.Add(reader.Bytes().Span);
            }
        }
        bool more = reader.Bool();
        string nextMeasurement = reader.String();
        uint nextAfter = reader.U32();
        return (present, more ? (nextMeasurement, nextAfter) : null);
    }

    private static void CheckVersion(byte version)
    {
        if (version != Version) throw new InvalidDataException("shard index: unknown message version " + version);
    }
}
