using System.Globalization;
using Cairn.Meta.Client;
using Cairn.Meta.Store;
using Cairn.Storage;
using Cairn.Storage.Engine;
using Cairn.Storage.Index;
using Cairn.Storage.LineProtocol;

namespace Cairn.Http.Write;

/// <summary>How a write ended: the status InfluxDB would answer with and its error text.</summary>
public readonly record struct WriteOutcome(int StatusCode, string? Error, int PointsWritten, int Dropped)
{
    public static WriteOutcome Success(int points) => new(204, null, points, 0);
}

/// <summary>
/// Writes a line-protocol body to this node's shards: parses it, maps each point to its shard group
/// (creating groups through meta on first use), validates series and fields against the shard's
/// index, then appends one WAL entry per shard and inserts into the caches. Partial-write semantics
/// and error texts are InfluxDB 1.x's. The cluster issue replaces the local shard write with the
/// replicated one; the mapping and validation stay.
/// </summary>
public sealed class PointsWriter(IMetaStore meta, TsdbStore store)
{
    private static ReadOnlySpan<byte> TimeKey => "time"u8;

    /// <summary>Writes <paramref name="body"/> to <paramref name="database"/> (and <paramref name="retentionPolicy"/>, or the default).</summary>
    public async Task<WriteOutcome> WriteAsync(string database, string? retentionPolicy, ReadOnlyMemory<byte> body, Precision precision,
        CancellationToken cancellationToken)
    {
        var state = meta.Current;
        var db = state.Database(database);
        if (db is null) return new WriteOutcome(404, $"database not found: \"{database}\"", 0, 0);
        string rpName = string.IsNullOrEmpty(retentionPolicy) ? db.DefaultRetentionPolicy : retentionPolicy;
        var rp = string.IsNullOrEmpty(rpName) ? null : db.RetentionPolicy(rpName);
        // InfluxDB answers an unknown policy with 500 (the coordinator's error is not a client error).
        if (rp is null) return new WriteOutcome(500, $"retention policy not found: {rpName}", 0, 0);

        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000L;
        var batch = new WriteBatch(store, database, now);
        try
        {
            // Pass 1 over the body; lines whose shard group does not exist yet are kept aside.
            batch.Scan(body.Span, rp, precision, pendingOnly: false);
            if (batch.MissingGroups.Count > 0 || batch.MissingShards.Count > 0)
            {
                foreach (long timestamp in batch.MissingGroups)
                {
                    MetaResult result;
                    try { result = await meta.ExecuteAsync(new CreateShardGroupCommand(database, rpName, timestamp), cancellationToken).ConfigureAwait(false); }
                    catch (MetaUnavailableException e) { return new WriteOutcome(500, "cannot create a shard group: " + e.Message, 0, 0); }
                    if (!result.IsOk)
                        return new WriteOutcome(result.Code is MetaErrorCode.DatabaseNotFound or MetaErrorCode.RetentionPolicyNotFound ? 400 : 500, result.Message, 0, 0);
                }
                rp = meta.Current.RetentionPolicy(database, rpName);
                if (rp is null) return new WriteOutcome(500, $"retention policy not found: {rpName}", 0, 0);
                var needed = new HashSet<ulong>(batch.MissingShards);
                foreach (long timestamp in batch.MissingGroups)
                    if (rp.ShardGroupByTimestamp(timestamp) is { } group)
                        foreach (var shard in group.Shards) needed.Add(shard.Id);
                foreach (ulong id in needed)
                    await store.GetOrCreateShardAsync(database, rpName, id, cancellationToken).ConfigureAwait(false);
                // Pass 2: the same body again, taking only the points pass 1 could not place.
                batch.BeginSecondPass(needed);
                batch.Scan(body.Span, rp, precision, pendingOnly: true);
            }

            foreach (var (shard, payload) in batch.Payloads)
            {
                if (payload.PointCount == 0) continue;
                try
                {
                    await shard.WriteAsync(payload.Written, cancellationToken).ConfigureAwait(false);
                }
                catch (CacheFullException e)
                {
                    return new WriteOutcome(500, "engine: " + e.Message, 0, 0);
                }
                catch (ObjectDisposedException)
                {
                    // The shard was dropped while this write was in flight (DROP SHARD / retention).
                    batch.Drop(payload.PointCount, "shard deleted");
                }
            }
            return batch.Outcome();
        }
        finally
        {
            batch.Dispose();
        }
    }

    /// <summary>The state of one request: per-shard payloads, drops, parse errors, lines awaiting a shard group.</summary>
    private sealed class WriteBatch(TsdbStore store, string database, long now) : IDisposable
    {
        private readonly LineProtocolParser _parser = new(allowUnsigned: true);
        private readonly List<string> _parseErrors = [];
        private HashSet<ulong>? _secondPassShards;
        private ShardGroupInfo? _lastGroup;
        private Shard? _lastShard;
        private int _points;
        private int _dropped;
        private string? _dropReason;
        private int _seriesInDatabase = -1;

        public readonly Dictionary<Shard, PointsPayloadWriter> Payloads = [];
        public readonly HashSet<long> MissingGroups = [];
        public readonly HashSet<ulong> MissingShards = [];

        public void Drop(int count, string reason)
        {
            _dropped += count;
            _dropReason ??= reason;
        }

        public void Scan(ReadOnlySpan<byte> body, RetentionPolicyInfo rp, Precision precision, bool pendingOnly)
        {
            var reader = _parser.Read(body, now, precision);
            while (reader.MoveNext())
            {
                if (reader.IsError)
                {
                    if (!pendingOnly) _parseErrors.Add(reader.Error.Message);
                    continue;
                }
                var point = reader.Current;
                if (!pendingOnly) _points++;
                Accept(point, rp, secondPass: pendingOnly);
            }
        }

        public void BeginSecondPass(HashSet<ulong> shards)
        {
            _secondPassShards = shards;
            _lastGroup = null;
            _lastShard = null;
        }

        private void Accept(ParsedPoint point, RetentionPolicyInfo rp, bool secondPass)
        {
            long timestamp = point.Timestamp;
            if (rp.Duration > 0 && timestamp < now - rp.Duration)
            {
                if (!secondPass) Drop(1, "points beyond retention policy");
                return;
            }
            var group = _lastGroup is { } g && g.Contains(timestamp) && !g.Deleted ? g : rp.ShardGroupByTimestamp(timestamp);
            if (group is null || group.Shards.Length == 0)
            {
                if (secondPass) Drop(1, "shard group not available");
                else MissingGroups.Add(timestamp);
                return;
            }
            // One shard per group on a single node; the cluster issue hashes the series key over several.
            ulong id = group.Shards[0].Id;
            if (secondPass && !_secondPassShards!.Contains(id)) return; // written in pass 1
            var shard = ReferenceEquals(group, _lastGroup) ? _lastShard : store.Shard(id);
            if (shard is null)
            {
                if (secondPass) Drop(1, "shard not available");
                else MissingShards.Add(id);
                return;
            }
            _lastGroup = group;
            _lastShard = shard;
            Validate(point, shard);
        }

        private void Validate(ParsedPoint point, Shard shard)
        {
            var measurement = point.Measurement;
            for (int i = 0; i < point.TagCount; i++)
                if (point.GetTag(i).Key.SequenceEqual(TimeKey))
                {
                    Drop(1, $"invalid tag key: input tag \"time\" on measurement \"{Utf8(measurement)}\" is invalid");
                    return;
                }
            bool hasField = false;
            for (int i = 0; i < point.FieldCount; i++)
                if (!point.GetField(i).Key.SequenceEqual(TimeKey)) { hasField = true; break; }
            if (!hasField)
            {
                Drop(1, $"invalid field name: input field \"time\" on measurement \"{Utf8(measurement)}\" is invalid");
                return;
            }

            var index = shard.Index;
            var seriesKey = point.SeriesKey;
            if (!index.TryGetId(seriesKey, out _))
            {
                int limit = store.Options.MaxSeriesPerDatabase;
                if (limit > 0)
                {
                    if (_seriesInDatabase < 0) _seriesInDatabase = store.SeriesCount(database);
                    if (_seriesInDatabase >= limit)
                    {
                        Drop(1, SeriesLimitText.MaxSeriesPerDatabase(limit));
                        return;
                    }
                }
                if (!index.TryGetOrAdd(seriesKey, measurement, new ParsedPointTags(point), out _, out bool created, out var rejected))
                {
                    Drop(1, rejected!.Reason);
                    return;
                }
                if (created && _seriesInDatabase >= 0) _seriesInDatabase++;
            }

            for (int i = 0; i < point.FieldCount; i++)
            {
                var field = point.GetField(i);
                if (field.Key.SequenceEqual(TimeKey)) continue;
                if (index.TryRegisterField(measurement, field.Key, field.Type, out var existing) == FieldTypeResult.Conflict)
                {
                    Drop(1, $"field type conflict: input field \"{Utf8(field.Key)}\" on measurement \"{Utf8(measurement)}\" is type {TypeName(field.Type)}, already exists as type {TypeName(existing)}");
                    return;
                }
            }

            if (!Payloads.TryGetValue(shard, out var payload))
                Payloads[shard] = payload = new PointsPayloadWriter(16 << 10);
            payload.BeginPoint(seriesKey, point.Timestamp);
            for (int i = 0; i < point.FieldCount; i++)
            {
                var field = point.GetField(i);
                if (field.Key.SequenceEqual(TimeKey)) continue;
                switch (field.Type)
                {
                    case FieldType.Float: payload.Field(field.Key, FieldType.Float, BitConverter.DoubleToInt64Bits(field.Float)); break;
                    case FieldType.Integer: payload.Field(field.Key, FieldType.Integer, field.Integer); break;
                    case FieldType.Unsigned: payload.Field(field.Key, FieldType.Unsigned, (long)field.Unsigned); break;
                    case FieldType.Boolean: payload.Field(field.Key, FieldType.Boolean, field.Boolean ? 1 : 0); break;
                    default: payload.StringField(field.Key, field.StringUtf8); break;
                }
            }
            payload.EndPoint();
        }

        public WriteOutcome Outcome()
        {
            int written = _points - _dropped;
            if (_dropped > 0)
                return new WriteOutcome(400, WriteErrorText.PartialWrite(_dropReason!, _dropped), written, _dropped);
            if (_parseErrors.Count > 0)
            {
                var text = WriteErrorText.ForParseErrors(_parseErrors, _points)!;
                return new WriteOutcome(400, text, written, 0);
            }
            return WriteOutcome.Success(written);
        }

        private static string Utf8(ReadOnlySpan<byte> bytes) => System.Text.Encoding.UTF8.GetString(bytes);

        private static string TypeName(FieldType type) => type switch
        {
            FieldType.Float => "float",
            FieldType.Integer => "integer",
            FieldType.Unsigned => "unsigned",
            FieldType.Boolean => "boolean",
            _ => "string",
        };

        public void Dispose()
        {
            foreach (var payload in Payloads.Values) payload.Dispose();
        }
    }
}
