using System.Buffers;
using Cairn.Common.Net.Rpc;
using Cairn.Meta.Client;
using Cairn.Meta.Store;
using Cairn.Storage;
using Cairn.Storage.Engine;
using Cairn.Storage.LineProtocol;
using NLog;

namespace Cairn.Cluster.Write;

/// <summary>How a write ended: the status InfluxDB would answer with and its error text.</summary>
public readonly record struct WriteOutcome(int StatusCode, string? Error, int PointsWritten, int Dropped)
{
    public static WriteOutcome Success(int points) => new(204, null, points, 0);
}

/// <summary>The <c>consistency</c> of a write: how many owners of each shard must store it before the client is answered.</summary>
public enum ConsistencyLevel
{
    /// <summary>An owner stored it, or the coordinator queued it in hinted handoff.</summary>
    Any,

    /// <summary>An owner stored it (the default).</summary>
    One,

    /// <summary>A majority of the owners stored it.</summary>
    Quorum,

    /// <summary>Every owner stored it.</summary>
    All,
}

/// <summary>Where a write goes when an owner cannot take it now: the coordinator's hinted-handoff queues.</summary>
public interface IHintedHandoff
{
    /// <summary>True while writes for <paramref name="nodeId"/> wait in its queue (new writes queue behind them).</summary>
    bool HasPending(ulong nodeId);

    /// <summary>Queues an encoded WriteShard request for <paramref name="nodeId"/>; throws IOException "queue is full" when it cannot.</summary>
    void Enqueue(ulong nodeId, ulong shardId, ReadOnlySpan<byte> request, int points);
}

/// <summary>The <c>write</c> statistics of the coordinator.</summary>
public sealed class WriteStatistics
{
    internal long _req, _points, _local, _remote, _hh, _ok, _partial, _timeout, _error, _dropped;

    public long Req => Volatile.Read(ref _req);
    public long PointReq => Volatile.Read(ref _points);
    public long PointReqLocal => Volatile.Read(ref _local);
    public long PointReqRemote => Volatile.Read(ref _remote);
    public long PointReqHH => Volatile.Read(ref _hh);
    public long WriteOk => Volatile.Read(ref _ok);
    public long WritePartial => Volatile.Read(ref _partial);
    public long WriteTimeout => Volatile.Read(ref _timeout);
    public long WriteError => Volatile.Read(ref _error);
    public long WriteDrop => Volatile.Read(ref _dropped);
}

/// <summary>
/// The coordinator of a write: parses a line-protocol body, maps each point to its shard group (creating groups through
/// meta on first use) and shard (<c>hash(series key) % shards</c>), then writes each shard's points to all its owners in
/// parallel: locally, or over RPC. The consistency level decides when the client is answered; an owner that fails gets
/// the points through hinted handoff. Texts are InfluxDB's (parse errors, partial writes) and Enterprise's
/// (<c>partial write</c>, <c>timeout</c>, <c>write failed: …</c>).
/// </summary>
public sealed class PointsWriter
{
    private static readonly Logger Log = LogManager.GetLogger("write");
    private static ReadOnlySpan<byte> TimeKey => "time"u8;
    private readonly IMetaStore _meta;
    private readonly ShardWriter _local;
    private readonly ClusterContext? _cluster;
    private readonly IHintedHandoff? _handoff;

    /// <summary>A writer over this node's shards only (a single server, or tools and tests).</summary>
    public PointsWriter(IMetaStore meta, TsdbStore store) : this(meta, new ShardWriter(store), null, null)
    {
    }

    /// <summary>The coordinator of a data node: <paramref name="local"/> stores the shards it owns, <paramref name="cluster"/> reaches the others.</summary>
    public PointsWriter(IMetaStore meta, ShardWriter local, ClusterContext? cluster, IHintedHandoff? handoff)
    {
        _meta = meta;
        _local = local;
        _cluster = cluster;
        _handoff = handoff;
    }

    public WriteStatistics Statistics { get; } = new();

    /// <summary>Writes <paramref name="body"/> to <paramref name="database"/> (and <paramref name="retentionPolicy"/>, or the default).</summary>
    public Task<WriteOutcome> WriteAsync(string database, string? retentionPolicy, ReadOnlyMemory<byte> body, Precision precision,
        CancellationToken cancellationToken) => WriteAsync(database, retentionPolicy, body, precision, ConsistencyLevel.One, cancellationToken);

    public async Task<WriteOutcome> WriteAsync(string database, string? retentionPolicy, ReadOnlyMemory<byte> body, Precision precision,
        ConsistencyLevel consistency, CancellationToken cancellationToken)
    {
        var state = _meta.Current;
        var db = state.Database(database);
        if (db is null) return new WriteOutcome(404, $"database not found: \"{database}\"", 0, 0);
        string rpName = string.IsNullOrEmpty(retentionPolicy) ? db.DefaultRetentionPolicy : retentionPolicy;
        var rp = string.IsNullOrEmpty(rpName) ? null : db.RetentionPolicy(rpName);
        // InfluxDB answers an unknown policy with 500 (the coordinator's error is not a client error).
        if (rp is null) return new WriteOutcome(500, $"retention policy not found: {rpName}", 0, 0);
        Interlocked.Increment(ref Statistics._req);

        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000L;
        // The batch's pooled payloads outlive this call while an owner the consistency level did not wait for is still
        // writing from them: they are released when the last such write ends (see Release).
        var batch = new Batch(now);
        var stillWriting = new List<Task>();
        try
        {
            batch.Scan(body.Span, rp, precision, pendingOnly: false);
            if (batch.MissingGroups.Count > 0)
            {
                // One command per group, not per timestamp: in time order, a timestamp the group just made covers is skipped
                // (a body of a million distinct timestamps in a new week would otherwise ask meta a million times).
                foreach (long timestamp in batch.MissingGroups.Order())
                {
                    if (_meta.Current.RetentionPolicy(database, rpName)?.ShardGroupByTimestamp(timestamp) is { Shards.Length: > 0 }) continue;
                    MetaResult result;
                    try { result = await _meta.ExecuteAsync(new CreateShardGroupCommand(database, rpName, timestamp), cancellationToken).ConfigureAwait(false); }
                    catch (MetaUnavailableException e) { return new WriteOutcome(500, "cannot create a shard group: " + e.Message, 0, 0); }
                    if (!result.IsOk)
                        return new WriteOutcome(result.Code is MetaErrorCode.DatabaseNotFound or MetaErrorCode.RetentionPolicyNotFound ? 400 : 500, result.Message, 0, 0);
                }
                state = _meta.Current;
                rp = state.RetentionPolicy(database, rpName);
                if (rp is null) return new WriteOutcome(500, $"retention policy not found: {rpName}", 0, 0);
                // Pass 2: the same body again, taking only the points pass 1 could not place.
                batch.Scan(body.Span, rp, precision, pendingOnly: true);
            }
            Interlocked.Add(ref Statistics._points, batch.Points);

            // Every shard's points to all its owners at once; the outcome waits for what the consistency level needs.
            var writes = new List<Task<ShardOutcome>>(batch.Payloads.Count);
            foreach (var (shard, payload) in batch.Payloads)
                if (payload.PointCount > 0) writes.Add(WriteShardAsync(state, database, rpName, shard, payload, consistency, batch, stillWriting, cancellationToken));
            var outcomes = await Task.WhenAll(writes).ConfigureAwait(false);

            string? failure = null;
            foreach (var o in outcomes)
            {
                if (o.Error is not null && failure is null) failure = o.Error;
                else if (o.Error == "timeout") failure = "timeout";
                batch.Drop(o.Dropped, o.DropReason);
            }
            if (failure is not null)
            {
                Interlocked.Increment(ref Statistics._error);
                return new WriteOutcome(500, failure, 0, 0);
            }
            Interlocked.Increment(ref Statistics._ok);
            var written = batch.Outcome();
            // writeDrop: points refused (outside the retention policy, invalid, or refused by an owner), as OSS counts them.
            if (written.Dropped > 0) Interlocked.Add(ref Statistics._dropped, written.Dropped);
            return written;
        }
        finally
        {
            Release(batch, stillWriting);
        }
    }

    /// <summary>Disposes the batch now, or once the owner writes still reading its payloads have ended.</summary>
    private static void Release(Batch batch, List<Task> stillWriting)
    {
        lock (stillWriting) stillWriting.RemoveAll(static t => t.IsCompleted);
        if (stillWriting.Count == 0)
        {
            batch.Dispose();
            return;
        }
        _ = Task.WhenAll(stillWriting).ContinueWith(static (_, state) => ((Batch)state!).Dispose(), batch,
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>What became of one shard's points: an error text when the consistency level was not met, and the points the owners refused.</summary>
    private readonly record struct ShardOutcome(string? Error, int Dropped, string? DropReason);

    /// <summary>What became of one owner's copy: stored (with what it refused), queued in hinted handoff, or an error.</summary>
    private readonly record struct OwnerOutcome(bool Stored, bool Queued, string? Error, ShardWriteResult Result);

    private async Task<ShardOutcome> WriteShardAsync(MetaState state, string database, string rp, ShardInfo shard, PointsPayloadWriter payload,
        ConsistencyLevel consistency, Batch batch, List<Task> stillWriting, CancellationToken cancellationToken)
    {
        var cluster = _cluster;
        bool clustered = cluster is not null && cluster.IsClustered(state) && !shard.Owners.IsEmpty;
        int points = payload.PointCount;
        if (!clustered)
        {
            var local = await WriteLocalAsync(database, rp, shard.Id, payload.Written, points, cancellationToken).ConfigureAwait(false);
            return local.Error is not null ? new ShardOutcome(local.Error, 0, null) : new ShardOutcome(null, local.Result.Dropped, local.Result.DropReason);
        }

        int owners = shard.Owners.Length;
        int required = consistency switch
        {
            ConsistencyLevel.All => owners,
            ConsistencyLevel.Quorum => owners / 2 + 1,
            _ => 1,
        };
        // The request an owner (or hinted handoff, later) receives; built once for all remote owners, in a pooled buffer
        // the batch returns when the last owner write has ended.
        ReadOnlyMemory<byte> request = default;
        var tasks = new List<Task<OwnerOutcome>>(owners);
        foreach (ulong owner in shard.Owners)
        {
            if (owner == cluster!.LocalNodeId)
            {
                // Not the request's token: this copy is written whole even when the client has its answer and is gone.
                tasks.Add(WriteLocalAsync(database, rp, shard.Id, payload.Written, points, CancellationToken.None));
                continue;
            }
            if (request.IsEmpty) request = batch.EncodeWriteShard(shard.Id, database, rp, state.Index, payload.Written.Span);
            tasks.Add(WriteRemoteAsync(cluster, state, owner, shard.Id, request, points, consistency));
        }

        using var timeout = new CancellationTokenSource(cluster!.Timeouts.WriteTimeout);
        var pending = new List<Task<OwnerOutcome>>(tasks);
        int wrote = 0;
        string? firstError = null;
        OwnerOutcome? stored = null;
        var expired = Task.Delay(Timeout.InfiniteTimeSpan, timeout.Token);
        while (pending.Count > 0)
        {
            var done = await Task.WhenAny([.. pending, expired]).ConfigureAwait(false);
            if (done == expired)
            {
                Interlocked.Increment(ref Statistics._timeout);
                KeepWriting(stillWriting, pending);
                return new ShardOutcome("timeout", 0, null);
            }
            var task = (Task<OwnerOutcome>)done;
            pending.Remove(task);
            var outcome = await task.ConfigureAwait(false);
            if (outcome.Error is not null)
            {
                firstError ??= outcome.Error;
                continue;
            }
            if (outcome.Stored) stored ??= outcome;
            wrote++;
            if (wrote >= required)
            {
                KeepWriting(stillWriting, pending);
                var result = stored?.Result ?? default;
                return new ShardOutcome(null, result.Dropped, result.DropReason);
            }
        }
        if (wrote > 0)
        {
            Interlocked.Increment(ref Statistics._partial);
            return new ShardOutcome("partial write", 0, null);
        }
        return new ShardOutcome("write failed: " + (firstError ?? "no owner answered"), 0, null);
    }

    /// <summary>Owner writes the answer does not wait for: the batch's payloads stay alive until they end.</summary>
    private static void KeepWriting(List<Task> stillWriting, List<Task<OwnerOutcome>> pending)
    {
        if (pending.Count == 0) return;
        lock (stillWriting) stillWriting.AddRange(pending);
    }

    private async Task<OwnerOutcome> WriteLocalAsync(string database, string rp, ulong shardId, ReadOnlyMemory<byte> payload, int points,
        CancellationToken cancellationToken)
    {
        try
        {
            var result = await _local.WriteAsync(database, rp, shardId, payload, cancellationToken).ConfigureAwait(false);
            Interlocked.Add(ref Statistics._local, points);
            return new OwnerOutcome(true, false, null, result);
        }
        catch (CacheFullException e)
        {
            return new OwnerOutcome(false, false, "engine: " + e.Message, default);
        }
    }

    private async Task<OwnerOutcome> WriteRemoteAsync(ClusterContext cluster, MetaState state, ulong owner, ulong shardId, ReadOnlyMemory<byte> request, int points,
        ConsistencyLevel consistency)
    {
        // Queued writes for the node go first: a direct write now would overtake them.
        if (_handoff is not null && !cluster.Timeouts.AllowOutOfOrderWrites && _handoff.HasPending(owner))
        {
            const string notEmpty = "hinted handoff queue not empty";
            Log.Info("write failed for shard {0} on node {1}: {2}", shardId, owner, notEmpty);
            return Handoff(owner, shardId, request, points, consistency, notEmpty);
        }
        string? address = ClusterContext.Address(state, owner);
        if (address is null) return Handoff(owner, shardId, request, points, consistency, $"data node {owner} has no address");
        try
        {
            var response = await cluster.Client.CallAsync(address, ClusterMethod.WriteShard, request, cluster.Timeouts.WriteTimeout, CancellationToken.None)
                .ConfigureAwait(false);
            Interlocked.Add(ref Statistics._remote, points);
            return new OwnerOutcome(true, false, null, DecodeWriteShardResponse(response));
        }
        catch (RpcException e) when ((ushort)e.Status == ClusterStatus.Rejected)
        {
            return new OwnerOutcome(false, false, e.Message, default);
        }
        catch (RpcException e)
        {
            Log.Info("write failed for shard {0} on node {1}: {2}", shardId, owner, e.Message);
            return Handoff(owner, shardId, request, points, consistency, e.Status == RpcStatus.DeadlineExceeded ? "timeout" : e.Message);
        }
    }

    /// <summary>Queues the owner's copy in hinted handoff: with consistency any that counts as written, else the owner's error stands.</summary>
    private OwnerOutcome Handoff(ulong owner, ulong shardId, ReadOnlyMemory<byte> request, int points, ConsistencyLevel consistency, string error)
    {
        if (_handoff is null) return new OwnerOutcome(false, false, error, default);
        try
        {
            _handoff.Enqueue(owner, shardId, request.Span, points);
        }
        catch (IOException e)
        {
            Log.Warn("hinted handoff for shard {0} on node {1} refused: {2}", shardId, owner, e.Message);
            return new OwnerOutcome(false, false, e.Message, default);
        }
        Interlocked.Add(ref Statistics._hh, points);
        return consistency == ConsistencyLevel.Any ? new OwnerOutcome(false, true, null, default) : new OwnerOutcome(false, true, error, default);
    }

    /// <summary>
    /// A WriteShard request: shard id, database, policy, the coordinator's meta index, the points payload, in
    /// <paramref name="buffer"/> (rented here; the caller returns it).
    /// </summary>
    public static ReadOnlyMemory<byte> EncodeWriteShard(ulong shardId, string database, string rp, ulong metaIndex, ReadOnlySpan<byte> payload,
        out byte[] buffer)
    {
        var head = WriteShardHead(shardId, database, rp, metaIndex, payload.Length);
        buffer = ArrayPool<byte>.Shared.Rent(head.Length + payload.Length);
        head.Written.Span.CopyTo(buffer);
        payload.CopyTo(buffer.AsSpan(head.Length));
        return buffer.AsMemory(0, head.Length + payload.Length);
    }

    /// <summary>A WriteShard request in an array of its own (hinted handoff's merged requests).</summary>
    public static byte[] EncodeWriteShard(ulong shardId, string database, string rp, ulong metaIndex, ReadOnlySpan<byte> payload)
    {
        var head = WriteShardHead(shardId, database, rp, metaIndex, payload.Length);
        var request = new byte[head.Length + payload.Length];
        head.Written.Span.CopyTo(request);
        payload.CopyTo(request.AsSpan(head.Length));
        return request;
    }

    /// <summary>Everything of a WriteShard request before the payload's bytes (its u32 length ends it).</summary>
    private static WireWriter WriteShardHead(ulong shardId, string database, string rp, ulong metaIndex, int payloadLength) =>
        new WireWriter(64).U64(shardId).String(database).String(rp).U64(metaIndex).U32((uint)payloadLength);

    public static (ulong ShardId, string Database, string RetentionPolicy, ulong MetaIndex, ReadOnlyMemory<byte> Payload) DecodeWriteShard(ReadOnlyMemory<byte> request)
    {
        var reader = new WireReader(request);
        return (reader.U64(), reader.String(), reader.String(), reader.U64(), reader.Bytes());
    }

    public static byte[] EncodeWriteShardResponse(ShardWriteResult result) =>
        new WireWriter(32).I32(result.Written).I32(result.Dropped).String(result.DropReason).ToArray();

    public static ShardWriteResult DecodeWriteShardResponse(ReadOnlyMemory<byte> response)
    {
        var reader = new WireReader(response);
        int written = reader.I32(), dropped = reader.I32();
        string reason = reader.String();
        return new ShardWriteResult(written, dropped, reason.Length == 0 ? null : reason);
    }

    /// <summary>FNV-1a 64 of the series key: which shard of a group holds the series.</summary>
    public static ulong Hash(ReadOnlySpan<byte> seriesKey)
    {
        ulong hash = 14695981039346656037UL;
        foreach (byte b in seriesKey) hash = (hash ^ b) * 1099511628211UL;
        return hash;
    }

    /// <summary>The parse of one request: per-shard payloads, drops, parse errors, timestamps awaiting a shard group.</summary>
    private sealed class Batch(long now) : IDisposable
    {
        private readonly LineProtocolParser _parser = new(allowUnsigned: true);
        private readonly List<string> _parseErrors = [];
        private ShardGroupInfo? _lastGroup;
        private int _dropped;
        private string? _dropReason;

        private readonly List<byte[]> _requests = [];

        public int Points;
        public readonly Dictionary<ShardInfo, PointsPayloadWriter> Payloads = new(ReferenceEqualityComparer.Instance);
        public readonly HashSet<long> MissingGroups = [];

        public void Drop(int count, string? reason)
        {
            if (count <= 0) return;
            _dropped += count;
            _dropReason ??= reason;
        }

        public void Scan(ReadOnlySpan<byte> body, RetentionPolicyInfo rp, Precision precision, bool pendingOnly)
        {
            _lastGroup = null;
            var reader = _parser.Read(body, now, precision);
            while (reader.MoveNext())
            {
                if (reader.IsError)
                {
                    if (!pendingOnly) _parseErrors.Add(reader.Error.Message);
                    continue;
                }
                var point = reader.Current;
                if (!pendingOnly) Points++;
                Accept(point, rp, secondPass: pendingOnly);
            }
        }

        private void Accept(ParsedPoint point, RetentionPolicyInfo rp, bool secondPass)
        {
            long timestamp = point.Timestamp;
            if (rp.Duration > 0 && timestamp < now - rp.Duration)
            {
                if (!secondPass) Drop(1, "points beyond retention policy");
                return;
            }
            // Pass 2 takes only the points pass 1 set aside: those whose group did not exist then.
            if (secondPass && !MissingGroups.Contains(timestamp)) return;
            var group = _lastGroup is { } g && g.Contains(timestamp) && !g.Deleted ? g : rp.ShardGroupByTimestamp(timestamp);
            if (group is null || group.Shards.Length == 0)
            {
                if (secondPass) Drop(1, "shard group not available");
                else MissingGroups.Add(timestamp);
                return;
            }
            _lastGroup = group;
            if (!Check(point)) return;
            var seriesKey = point.SeriesKey;
            var shard = group.Shards.Length == 1 ? group.Shards[0] : group.Shards[(int)(Hash(seriesKey) % (ulong)group.Shards.Length)];
            if (!Payloads.TryGetValue(shard, out var payload))
                Payloads[shard] = payload = new PointsPayloadWriter(16 << 10);
            payload.BeginPoint(seriesKey, timestamp);
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

        /// <summary>The point's own rules (a tag or the only field named "time"); the owner checks series and field types.</summary>
        private bool Check(ParsedPoint point)
        {
            var measurement = point.Measurement;
            for (int i = 0; i < point.TagCount; i++)
                if (point.GetTag(i).Key.SequenceEqual(TimeKey))
                {
                    Drop(1, $"invalid tag key: input tag \"time\" on measurement \"{ShardWriter.Utf8(measurement)}\" is invalid");
                    return false;
                }
            for (int i = 0; i < point.FieldCount; i++)
                if (!point.GetField(i).Key.SequenceEqual(TimeKey)) return true;
            Drop(1, $"invalid field name: input field \"time\" on measurement \"{ShardWriter.Utf8(measurement)}\" is invalid");
            return false;
        }

        public WriteOutcome Outcome()
        {
            int written = Points - _dropped;
            if (_dropped > 0)
                return new WriteOutcome(400, WriteErrorText.PartialWrite(_dropReason!, _dropped), written, _dropped);
            if (_parseErrors.Count > 0)
            {
                var text = WriteErrorText.ForParseErrors(_parseErrors, Points)!;
                return new WriteOutcome(400, text, written, 0);
            }
            return WriteOutcome.Success(written);
        }

        /// <summary>A shard's WriteShard request, in a buffer the batch returns to the pool when it is disposed.</summary>
        public ReadOnlyMemory<byte> EncodeWriteShard(ulong shardId, string database, string rp, ulong metaIndex, ReadOnlySpan<byte> payload)
        {
            var request = PointsWriter.EncodeWriteShard(shardId, database, rp, metaIndex, payload, out var buffer);
            lock (_requests) _requests.Add(buffer);
            return request;
        }

        public void Dispose()
        {
            foreach (var payload in Payloads.Values) payload.Dispose();
            foreach (var buffer in _requests) ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
