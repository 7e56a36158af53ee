using System.Buffers;
using Cairn.Query.Engine;
using Cairn.Storage;

namespace Cairn.Cluster.Query;

/// <summary>
/// The server side of distributed SELECTs: a data node answers the shard schema, series values and per-window
/// partials of the shards it holds (<see cref="ClusterMethod.ShardSchema"/>, <see cref="ClusterMethod.ScanSeries"/>,
/// <see cref="ClusterMethod.ShardPartials"/>). A shard this node does not hold answers empty: an owner that never
/// received a write for it holds no data (docs/query-routing.md).
/// </summary>
public static class ShardQueryService
{
    /// <summary>A ScanSeries answer stops taking series past this size; the reader asks again for the rest.</summary>
    internal const int MaxScanBytes = 16 << 20;

    /// <summary>
    /// A ShardPartials answer for several series larger than this is refused as too large; the reader asks again for
    /// half the series each time (one series is answered whatever its size, up to the frame limit).
    /// </summary>
    internal const int MaxPartialsBytes = 8 << 20;

    /// <summary>Registers the three methods' handlers on the node's cluster service.</summary>
    public static void Register(ClusterContext cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        cluster.Service.Handle(ClusterMethod.ShardSchema, (request, deadline) => Run(() => Schema(cluster, request), deadline));
        cluster.Service.Handle(ClusterMethod.ScanSeries, (request, deadline) => Run(() => Scan(cluster, request, deadline), deadline));
        cluster.Service.Handle(ClusterMethod.ShardPartials, (request, deadline) => Run(() => Partials(cluster, request, deadline), deadline));
    }

    /// <summary>Reads on a pool thread: storage reads are synchronous and must not hold the connection's read loop.</summary>
    private static ValueTask<ReadOnlyMemory<byte>> Run(Func<ReadOnlyMemory<byte>> read, CancellationToken deadline) =>
        new(Task.Run(read, deadline));

    private static ShardViewReader? Local(ClusterContext cluster, ulong shardId) =>
        cluster.Store.Shard(shardId) is { } shard ? new ShardViewReader(shard) : null;

    /// <summary>
    /// Request: <c>shard u64 | kind u8 | measurement string</c>, and for kind 3 <c>| tag key string | tag value string</c>.
    /// Kinds: 0 the measurements, 1 one measurement with all its series, 2 with none, 3 with those whose tag has the value,
    /// 4 with none and whether the shard lists the measurement.
    /// Answer to kind 0: <c>count u32 | names (string)…</c>. Answer to kinds 1-4:
    /// <c>fields u32 | (key string, type u8)… | tag keys u32 | keys (string)… | series u32 | series keys (bytes)…</c>,
    /// and for kind 4 <c>| present u8</c>.
    /// </summary>
    internal static ReadOnlyMemory<byte> Schema(ClusterContext cluster, ReadOnlyMemory<byte> payload)
    {
        var reader = new WireReader(payload);
        ulong shardId = reader.U64();
        byte kind = reader.U8();
        string measurement = reader.String();
        var shard = Local(cluster, shardId);
        var writer = new WireWriter();
        if (kind == 0)
        {
            var names = shard?.Measurements() ?? [];
            writer.U32((uint)names.Count);
            foreach (var name in names) writer.String(name);
            return writer.Written;
        }
        if (kind is not (1 or 2 or 3 or 4)) throw new InvalidDataException($"unknown shard schema kind {kind}");
        var fields = shard?.Fields(measurement) ?? [];
        writer.U32((uint)fields.Count);
        foreach (var (key, type) in fields) writer.String(key).U8((byte)type);
        var tagKeys = shard?.TagKeys(measurement) ?? [];
        writer.U32((uint)tagKeys.Count);
        foreach (var key in tagKeys) writer.String(key);
        // Kinds 2 and 4 want no series; kind 3 those with one tag value (the index's lookup), kind 1 all.
        IReadOnlyList<SeriesEntry> series = kind switch
        {
            2 or 4 => [],
            3 when reader.String() is var tagKey && reader.String() is var tagValue => shard?.Series(measurement, tagKey, tagValue) ?? [],
            _ => shard?.Series(measurement) ?? [],
        };
        writer.U32((uint)series.Count);
        foreach (var s in series) writer.Bytes(s.Key);
        // Kind 4 adds whether the shard lists the measurement at all (what kind 0's list would have said).
        if (kind == 4) writer.Bool(shard?.Measurements().Contains(measurement) ?? false);
        return writer.Written;
    }

    /// <summary>
    /// Request: <c>shard u64 | field string | min i64 | max i64 | series u32 | series keys (bytes)…</c>.
    /// Answer: <c>answered u32</c> (the first series answered; the reader asks again for the rest), then per series
    /// <c>type u8 (255 none) | count u32 | times i64… | bits i64… or strings (string)…</c>.
    /// </summary>
    internal static ReadOnlyMemory<byte> Scan(ClusterContext cluster, ReadOnlyMemory<byte> payload, CancellationToken deadline)
    {
        var reader = new WireReader(payload);
        ulong shardId = reader.U64();
        string field = reader.String();
        long min = reader.I64(), max = reader.I64();
        uint count = reader.U32();
        var keys = new List<byte[]>();
        for (uint i = 0; i < count; i++) keys.Add(reader.Bytes().ToArray());
        var shard = Local(cluster, shardId);
        var body = new WireWriter(1024);
        int answered = 0;
        foreach (var key in keys)
        {
            deadline.ThrowIfCancellationRequested();
            if (answered > 0 && body.Length > MaxScanBytes) break;
            answered++;
            var values = shard?.Read(key, field, min, max);
            if (values is null || values.Count == 0)
            {
                body.U8(255);
                continue;
            }
            body.U8((byte)values.Type).U32((uint)values.Count);
            foreach (long t in values.Times) body.I64(t);
            if (values.Type == FieldType.String)
                foreach (var s in values.Strings) body.String(s);
            else
                foreach (long b in values.Bits) body.I64(b);
        }
        var writer = new WireWriter(body.Length + 4);
        writer.U32((uint)answered);
        var span = body.Written.Span;
        // The body after the count, as is.
        return Concat(writer.Written.Span, span);
    }

    private static byte[] Concat(ReadOnlySpan<byte> head, ReadOnlySpan<byte> tail)
    {
        var result = new byte[head.Length + tail.Length];
        head.CopyTo(result);
        tail.CopyTo(result.AsSpan(head.Length));
        return result;
    }

    /// <summary>Request: <c>shard u64 | ShardPartialsRequest</c>. Answer: <c>ShardPartials</c> (see their layouts).</summary>
    internal static ReadOnlyMemory<byte> Partials(ClusterContext cluster, ReadOnlyMemory<byte> payload, CancellationToken deadline)
    {
        var reader = new PartialsReader(payload.Span);
        ulong shardId = (ulong)reader.I64();
        var request = ShardPartialsRequest.Read(ref reader);
        var shard = Local(cluster, shardId);
        var output = new ArrayBufferWriter<byte>(256);
        ShardPartials.Compute(shard ?? (IShardReader)EmptyShard.Instance, request, deadline).Write(new PartialsWriter(output));
        if (output.WrittenCount > MaxPartialsBytes && request.SeriesKeys.Count > 1)
        {
            throw new ClusterTooLargeException(
                $"shard {shardId}: partials of {request.SeriesKeys.Count} series take {output.WrittenCount} bytes, over {MaxPartialsBytes}");
        }
        return output.WrittenMemory;
    }

    /// <summary>A shard with no data, for an owner that does not hold the shard.</summary>
    private sealed class EmptyShard : IShardReader
    {
        public static readonly EmptyShard Instance = new();

        public IReadOnlyList<string> Measurements() => [];

        public IReadOnlyList<(string Key, FieldType Type)> Fields(string measurement) => [];

        public IReadOnlyList<string> TagKeys(string measurement) => [];

        public IReadOnlyList<SeriesEntry> Series(string measurement) => [];

        public Cairn.Storage.Engine.ShardValues? Read(byte[] seriesKey, string field, long minTime, long maxTime) => null;

        public Cairn.Storage.Engine.ReadCost Cost(byte[] seriesKey, string field, long minTime, long maxTime) => default;

        public ulong ShardId => 0;
    }
}
