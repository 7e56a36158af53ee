using Cairn.Storage;
using Cairn.Storage.Engine;
using Cairn.Storage.Index;
using Cairn.Storage.LineProtocol;

namespace Cairn.Cluster.Write;

/// <summary>What an owner did with a shard's points: how many it stored, and how many it refused and why.</summary>
public readonly record struct ShardWriteResult(int Written, int Dropped, string? DropReason);

/// <summary>
/// The owner's side of a shard write (a local owner, an RPC WriteShard, or a hinted-handoff replay): checks each point's
/// series and fields against the shard's index (series limits, field type conflicts; refused points are dropped with
/// InfluxDB's reason), then appends what it accepted to the shard's WAL and cache.
/// </summary>
public sealed class ShardWriter(TsdbStore store)
{
    private long _requests, _points, _failures;

    /// <summary>The <c>cluster</c> statistics of shard writes this node received from coordinators.</summary>
    public long WriteShardReq => Volatile.Read(ref _requests);
    public long WriteShardPointsReq => Volatile.Read(ref _points);
    public long WriteShardFail => Volatile.Read(ref _failures);

    /// <summary>Counts a write received over RPC (local writes are the coordinator's <c>pointReqLocal</c>).</summary>
    internal void CountRemote(int points, bool failed)
    {
        Interlocked.Increment(ref _requests);
        Interlocked.Add(ref _points, points);
        if (failed) Interlocked.Increment(ref _failures);
    }

    /// <summary>Validates and stores <paramref name="payload"/> (a points payload, see <see cref="ShardWalEntry"/>) in shard <paramref name="shardId"/>.</summary>
    /// <exception cref="CacheFullException">The shard's cache is at <c>cache-max-memory-size</c>.</exception>
    public async ValueTask<ShardWriteResult> WriteAsync(string database, string retentionPolicy, ulong shardId, ReadOnlyMemory<byte> payload,
        CancellationToken cancellationToken)
    {
        var shard = store.Shard(shardId) ?? await store.GetOrCreateShardAsync(database, retentionPolicy, shardId, cancellationToken).ConfigureAwait(false);
        using var filtered = Validate(shard, database, payload.Span, out int accepted, out int dropped, out string? reason);
        if (accepted > 0)
        {
            try
            {
                await shard.WriteAsync(filtered?.Written ?? payload, cancellationToken).ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                // The shard was dropped while this write was in flight (DROP SHARD / retention).
                return new ShardWriteResult(0, accepted + dropped, "shard deleted");
            }
        }
        return new ShardWriteResult(accepted, dropped, reason);
    }

    /// <summary>
    /// Registers the payload's new series and fields; returns null when every point is accepted (the payload is written
    /// as it is), else a payload of the accepted points.
    /// </summary>
    private PointsPayloadWriter? Validate(Shard shard, string database, ReadOnlySpan<byte> payload, out int accepted, out int dropped, out string? reason)
    {
        accepted = dropped = 0;
        reason = null;
        PointsPayloadWriter? kept = null;
        var index = shard.Index;
        int seriesInDatabase = -1;
        var measurement = new MeasurementCache();
        var reader = new PointsPayloadReader(payload);
        while (reader.NextPoint())
        {
            var key = reader.SeriesKey;
            string? refusal = null;
            var name = measurement.Of(key);
            if (!index.TryGetId(key, out _))
            {
                int limit = store.Options.MaxSeriesPerDatabase;
                if (limit > 0)
                {
                    if (seriesInDatabase < 0) seriesInDatabase = store.SeriesCount(database);
                    if (seriesInDatabase >= limit) refusal = SeriesLimitText.MaxSeriesPerDatabase(limit);
                }
                if (refusal is null)
                {
                    if (!SeriesKeyParser.TryParse(key, out var m, out var tags))
                        refusal = "invalid series key";
                    else if (!index.TryGetOrAdd(key, m, tags, out _, out bool created, out var rejected))
                        refusal = rejected!.Reason;
                    else if (created && seriesInDatabase >= 0)
                        seriesInDatabase++;
                }
            }
            if (refusal is null)
            {
                var fields = reader;
                while (fields.NextField())
                {
                    if (index.TryRegisterField(name, fields.FieldName, fields.FieldType, out var existing) == FieldTypeResult.Conflict)
                    {
                        refusal = $"field type conflict: input field \"{Utf8(fields.FieldName)}\" on measurement \"{Utf8(name)}\" is type {TypeName(fields.FieldType)}, already exists as type {TypeName(existing)}";
                        break;
                    }
                }
            }
            if (refusal is not null)
            {
                if (kept is null)
                {
                    // The first refusal: copy the points accepted so far.
                    kept = new PointsPayloadWriter(payload.Length);
                    var again = new PointsPayloadReader(payload);
                    for (int i = 0; i < accepted + dropped; i++)
                    {
                        again.NextPoint();
                        Copy(ref again, kept);
                    }
                }
                dropped++;
                reason ??= refusal;
                continue;
            }
            accepted++;
            if (kept is not null)
            {
                var copy = reader;
                Copy(ref copy, kept);
            }
        }
        return kept;
    }

    private static void Copy(ref PointsPayloadReader point, PointsPayloadWriter output)
    {
        output.BeginPoint(point.SeriesKey, point.Timestamp);
        while (point.NextField())
        {
            if (point.FieldType == FieldType.String) output.StringField(point.FieldName, point.StringValue);
            else output.Field(point.FieldName, point.FieldType, point.Bits);
        }
        output.EndPoint();
    }

    /// <summary>The unescaped measurement of a series key, kept while consecutive keys share it.</summary>
    private ref struct MeasurementCache
    {
        private byte[]? _escapedPrefix;
        private byte[]? _name;

        public byte[] Of(ReadOnlySpan<byte> key)
        {
            int end = PrefixLength(key);
            var prefix = key[..end];
            if (_escapedPrefix is not null && prefix.SequenceEqual(_escapedPrefix)) return _name!;
            _escapedPrefix = prefix.ToArray();
            _name = SeriesKeyParser.TryParse(key, out var name, out _) ? name : prefix.ToArray();
            return _name;
        }

        /// <summary>The escaped measurement: up to the first comma not escaped by a backslash.</summary>
        private static int PrefixLength(ReadOnlySpan<byte> key)
        {
            for (int i = 0; i < key.Length; i++)
            {
                if (key[i] == (byte)'\\') { i++; continue; }
                if (key[i] == (byte)',') return i;
            }
            return key.Length;
        }
    }

    internal static string Utf8(ReadOnlySpan<byte> bytes) => System.Text.Encoding.UTF8.GetString(bytes);

    internal static string TypeName(FieldType type) => type switch
    {
        FieldType.Float => "float",
        FieldType.Integer => "integer",
        FieldType.Unsigned => "unsigned",
        FieldType.Boolean => "boolean",
        _ => "string",
    };
}
