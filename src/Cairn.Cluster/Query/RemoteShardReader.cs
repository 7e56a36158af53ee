using System.Buffers;
using System.Text;
using Cairn.Query.Engine;
using Cairn.Storage;
using Cairn.Storage.Engine;

namespace Cairn.Cluster.Query;

/// <summary>
/// A shard held by other data nodes, read over RPC for one query. The schema of each measurement comes from one
/// <see cref="ClusterMethod.ShardSchema"/> call and is kept for the query; values come from
/// <see cref="ClusterMethod.ScanSeries"/> in batches of the series the planner was handed (one round trip for many
/// series), partials from <see cref="ClusterMethod.ShardPartials"/>. Each call has the <c>shard-reader-timeout</c>
/// deadline and fails over to the next owner; when none answers, <see cref="ShardUnavailableException"/>.
/// </summary>
/// <remarks>The engine's reads are synchronous (on pool threads); this reader blocks on its calls.</remarks>
public sealed class RemoteShardReader(ClusterContext cluster, ulong shardId, ulong shardGroupId, IReadOnlyList<ShardOwner> owners, OwnerFailures failures,
    CancellationToken cancellationToken) : IPartialShardReader
{
    /// <summary>Series fetched in one ScanSeries call.</summary>
    internal const int BatchSeries = 512;

    private readonly Lock _lock = new();
    private readonly List<ShardOwner> _owners = [.. owners];
    private IReadOnlyList<string>? _measurements;
    private readonly Dictionary<string, Schema> _schemas = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _measurementOf = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Field, long Min, long Max), Dictionary<string, ShardValues?>> _fetched = [];

    /// <summary>One measurement's schema in the shard, and the series the planner was handed (the batches' candidates).</summary>
    private sealed class Schema
    {
        public required IReadOnlyList<(string Key, FieldType Type)> Fields { get; init; }
        public required IReadOnlyList<string> TagKeys { get; init; }

        /// <summary>Whether the shard lists the measurement (its measurement list would name it).</summary>
        public required bool Present { get; init; }

        /// <summary>The series known so far: all of them once <see cref="Complete"/>, else those of the tag lookups made.</summary>
        public readonly List<SeriesEntry> Series = [];
        public readonly HashSet<string> Known = new(StringComparer.Ordinal);
        public bool Complete;
        public readonly Dictionary<(string Key, string Value), List<SeriesEntry>> ByTag = [];
        public readonly HashSet<string> Handed = new(StringComparer.Ordinal);
    }

    public ulong ShardId => shardId;

    public ulong ShardGroupId => shardGroupId;

    /// <summary>The shard group's time range [start, end): a statement whose time range misses it does not ask the owner.</summary>
    public (long Start, long End) GroupRange { get; init; } = (long.MinValue, long.MaxValue);

    public bool Overlaps(long min, long max) => GroupRange.Start <= max && GroupRange.End > min;

    public IReadOnlyList<string> Measurements()
    {
        lock (_lock)
        {
            if (_measurements is not null) return _measurements;
            var request = new WireWriter(32).U64(shardId).U8(0).String("");
            var answer = Call(ClusterMethod.ShardSchema, request.Written);
            var reader = new WireReader(answer);
            uint count = reader.U32();
            var names = new List<string>();
            for (uint i = 0; i < count; i++) names.Add(reader.String());
            return _measurements = names;
        }
    }

    /// <summary>
    /// Answered with the measurement's schema, which the query asks for next anyway, rather than the shard's whole
    /// measurement list: one round trip to the owner instead of two.
    /// </summary>
    public bool HasMeasurement(string name)
    {
        lock (_lock)
            if (_measurements is not null) return _measurements.Contains(name);
        return SchemaOf(name).Present;
    }

    public IReadOnlyList<(string Key, FieldType Type)> Fields(string measurement) => SchemaOf(measurement).Fields;

    public IReadOnlyList<string> TagKeys(string measurement) => SchemaOf(measurement).TagKeys;

    public IReadOnlyList<SeriesEntry> Series(string measurement)
    {
        var schema = SchemaOf(measurement);
        lock (_lock)
        {
            if (!schema.Complete)
            {
                // Every series of the measurement (kind 1).
                var request = new WireWriter(64).U64(shardId).U8(1).String(measurement);
                var reader = new WireReader(Call(ClusterMethod.ShardSchema, request.Written));
                SkipFieldsAndTags(ref reader);
                schema.Series.Clear();
                schema.Known.Clear();
                AddSeries(measurement, schema, ref reader, null);
                schema.Complete = true;
            }
            foreach (var s in schema.Series) schema.Handed.Add(Encoding.UTF8.GetString(s.Key));
            return schema.Series;
        }
    }

    /// <summary>
    /// The series whose tag <paramref name="tagKey"/> is <paramref name="tagValue"/>: from the owner's tag index (kind 3)
    /// unless every series is known already, so a query naming a few hosts moves only their keys.
    /// </summary>
    public IReadOnlyList<SeriesEntry> Series(string measurement, string tagKey, string tagValue)
    {
        var schema = SchemaOf(measurement);
        lock (_lock)
        {
            List<SeriesEntry> list;
            if (schema.Complete)
            {
                list = [];
                foreach (var s in schema.Series)
                    if (s.Tag(tagKey) == tagValue) list.Add(s);
            }
            else if (!schema.ByTag.TryGetValue((tagKey, tagValue), out list!))
            {
                var request = new WireWriter(96).U64(shardId).U8(3).String(measurement).String(tagKey).String(tagValue);
                var reader = new WireReader(Call(ClusterMethod.ShardSchema, request.Written));
                SkipFieldsAndTags(ref reader);
                list = [];
                AddSeries(measurement, schema, ref reader, list);
                schema.ByTag[(tagKey, tagValue)] = list;
            }
            foreach (var s in list) schema.Handed.Add(Encoding.UTF8.GetString(s.Key));
            return list;
        }
    }

    /// <summary>
    /// The fields and tag keys of a measurement in the shard, and whether the shard lists it (kind 4: no series), cached
    /// for the query.
    /// </summary>
    private Schema SchemaOf(string measurement)
    {
        lock (_lock)
        {
            if (_schemas.TryGetValue(measurement, out var cached)) return cached;
            var request = new WireWriter(64).U64(shardId).U8(4).String(measurement);
            var reader = new WireReader(Call(ClusterMethod.ShardSchema, request.Written));
            var fields = new List<(string, FieldType)>();
            for (uint i = 0, n = reader.U32(); i < n; i++) fields.Add((reader.String(), (FieldType)reader.U8()));
            var tagKeys = new List<string>();
            for (uint i = 0, n = reader.U32(); i < n; i++) tagKeys.Add(reader.String());
            if (reader.U32() != 0) throw new InvalidDataException($"shard {shardId}: a schema without series answered series");
            var schema = new Schema { Fields = fields, TagKeys = tagKeys, Present = reader.Bool() };
            _schemas[measurement] = schema;
            return schema;
        }
    }

    private static void SkipFieldsAndTags(ref WireReader reader)
    {
        for (uint i = 0, n = reader.U32(); i < n; i++)
        {
            reader.String();
            reader.U8();
        }
        for (uint i = 0, n = reader.U32(); i < n; i++) reader.String();
    }

    /// <summary>Reads an answer's series into the schema's known series (and <paramref name="into"/>).</summary>
    private void AddSeries(string measurement, Schema schema, ref WireReader reader, List<SeriesEntry>? into)
    {
        for (uint i = 0, n = reader.U32(); i < n; i++)
        {
            if (SeriesEntry.Parse(reader.Bytes().ToArray()) is not { } entry) continue;
            string key = Encoding.UTF8.GetString(entry.Key);
            into?.Add(entry);
            if (!schema.Known.Add(key)) continue;
            schema.Series.Add(entry);
            _measurementOf[key] = measurement;
        }
    }

    public ShardValues? Read(byte[] seriesKey, string field, long minTime, long maxTime)
    {
        string key = Encoding.UTF8.GetString(seriesKey);
        lock (_lock)
        {
            var fetched = Fetched(field, minTime, maxTime);
            if (!fetched.ContainsKey(key)) FetchBatch(key, seriesKey, field, minTime, maxTime, fetched);
            // Each series field is read once per query: give the values up.
            fetched.Remove(key, out var values);
            return values;
        }
    }

    public ReadCost Cost(byte[] seriesKey, string field, long minTime, long maxTime) => default;

    /// <summary>
    /// The partials of the request's series from an owner. An answer too large for one piece
    /// (<see cref="ClusterStatus.TooLarge"/>) is asked for again in two halves of the series, concurrently.
    /// </summary>
    public async Task<ShardPartials> PartialsAsync(ShardPartialsRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            return await PartialsOnceAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Cairn.Common.Net.Rpc.RpcException e) when ((ushort)e.Status == ClusterStatus.TooLarge && request.SeriesKeys.Count > 1)
        {
            int half = request.SeriesKeys.Count / 2;
            var first = PartialsAsync(request with { SeriesKeys = [.. request.SeriesKeys.Take(half)] }, cancellationToken);
            var second = PartialsAsync(request with { SeriesKeys = [.. request.SeriesKeys.Skip(half)] }, cancellationToken);
            return ShardPartials.Concat(await first.ConfigureAwait(false), await second.ConfigureAwait(false));
        }
    }

    private Task<ShardPartials> PartialsOnceAsync(ShardPartialsRequest request, CancellationToken cancellationToken)
    {
        var output = new ArrayBufferWriter<byte>(256);
        var writer = new PartialsWriter(output);
        writer.I64((long)shardId);
        request.Write(writer);
        return CallAsync(ClusterMethod.ShardPartials, output.WrittenMemory, cancellationToken).ContinueWith(static t =>
        {
            var answer = t.GetAwaiter().GetResult();
            var reader = new PartialsReader(answer);
            return ShardPartials.Read(ref reader);
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private Dictionary<string, ShardValues?> Fetched(string field, long min, long max)
    {
        if (!_fetched.TryGetValue((field, min, max), out var fetched)) _fetched[(field, min, max)] = fetched = new(StringComparer.Ordinal);
        return fetched;
    }

    /// <summary>
    /// Fetches <paramref name="key"/> and the series handed out after it (in key order) not fetched yet, up to
    /// <see cref="BatchSeries"/>, into <paramref name="fetched"/> (null where a series has no values).
    /// </summary>
    private void FetchBatch(string key, byte[] seriesKey, string field, long min, long max, Dictionary<string, ShardValues?> fetched)
    {
        var keys = new List<(string Text, byte[] Bytes)> { (key, seriesKey) };
        if (_measurementOf.TryGetValue(key, out var measurement) && _schemas.TryGetValue(measurement, out var schema))
        {
            int at = schema.Series.FindIndex(s => s.Key.AsSpan().SequenceEqual(seriesKey));
            for (int i = at + 1; at >= 0 && i < schema.Series.Count && keys.Count < BatchSeries; i++)
            {
                string other = Encoding.UTF8.GetString(schema.Series[i].Key);
                if (schema.Handed.Contains(other) && !fetched.ContainsKey(other)) keys.Add((other, schema.Series[i].Key));
            }
        }
        var request = new WireWriter(256).U64(shardId).String(field).I64(min).I64(max).U32((uint)keys.Count);
        foreach (var (_, bytes) in keys) request.Bytes(bytes);
        var reader = new WireReader(Call(ClusterMethod.ScanSeries, request.Written));
        uint answered = reader.U32();
        if (answered == 0 || answered > keys.Count) throw new InvalidDataException($"shard {shardId}: scan answered {answered} of {keys.Count} series");
        for (int i = 0; i < answered; i++) fetched[keys[i].Text] = ReadValues(ref reader);
    }

    private static ShardValues? ReadValues(ref WireReader reader)
    {
        byte kind = reader.U8();
        if (kind == 255) return null;
        var type = (FieldType)kind;
        int count = checked((int)reader.U32());
        var times = new long[count];
        for (int i = 0; i < count; i++) times[i] = reader.I64();
        if (type == FieldType.String)
        {
            var strings = new string[count];
            for (int i = 0; i < count; i++) strings[i] = reader.String();
            return new ShardValues(type, times, [], strings);
        }
        var bits = new long[count];
        for (int i = 0; i < count; i++) bits[i] = reader.I64();
        return new ShardValues(type, times, bits, []);
    }

    private byte[] Call(ClusterMethod method, ReadOnlyMemory<byte> payload) =>
        CallAsync(method, payload, cancellationToken).GetAwaiter().GetResult();

    /// <summary>
    /// Calls the owners in turn (<see cref="ShardOwners.ReadAsync"/>). The owner that answers is tried first by the
    /// query's later calls, so a slow or dead owner costs one <c>shard-reader-timeout</c> per query, not one per call.
    /// </summary>
    private Task<byte[]> CallAsync(ClusterMethod method, ReadOnlyMemory<byte> payload, CancellationToken cancellation)
    {
        var timeout = cluster.Timeouts.ShardReaderTimeout;
        ShardOwner[] order;
        lock (_owners) order = failures.Order(_owners);
        return ShardOwners.ReadAsync(shardId, order, async (owner, ct) =>
        {
            byte[] answer;
            try
            {
                answer = await cluster.Client.CallAsync(owner.Address!, method, payload, timeout, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is Cairn.Common.Net.Rpc.RpcException or OperationCanceledException)
            {
                // An answer too large is the request's doing, not the owner's.
                if (e is not Cairn.Common.Net.Rpc.RpcException { Status: (Cairn.Common.Net.Rpc.RpcStatus)ClusterStatus.TooLarge }) failures.Failed(owner.NodeId);
                throw;
            }
            lock (_owners)
            {
                if (_owners.Count > 0 && _owners[0] != owner && _owners.Remove(owner)) _owners.Insert(0, owner);
            }
            return answer;
        }, cancellation);
    }
}
