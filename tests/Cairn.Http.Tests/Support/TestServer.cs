using System.Text;
using Cairn.Http.Statements;
using Cairn.Meta.Store;
using Cairn.Query.Parsing;
using Cairn.Query.Results;
using Cairn.Storage.LineProtocol;

namespace Cairn.Http.Tests.Support;

/// <summary>
/// A real <see cref="LocalMetaStore"/> and a <see cref="FakeShardCatalog"/> in a temp directory behind a
/// <see cref="StatementExecutor"/>, with the clock pinned to the conformance corpus's instant.
/// </summary>
internal sealed class TestServer : IAsyncDisposable
{
    /// <summary>The instant the conformance corpus pinned its wall-clock tests to.</summary>
    public const long Now = 1700000000123456789L;

    private readonly TempDirectory _dir;

    private TestServer(TempDirectory dir, LocalMetaStore meta, FakeShardCatalog shards, bool retentionAutoCreate)
    {
        _dir = dir;
        Meta = meta;
        Shards = shards;
        Executor = new StatementExecutor(meta, shards, new FixedTime(Now), retentionAutoCreate);
    }

    public LocalMetaStore Meta { get; }

    public FakeShardCatalog Shards { get; }

    public StatementExecutor Executor { get; }

    public static async Task<TestServer> StartAsync(bool retentionAutoCreate = true)
    {
        var dir = new TempDirectory();
        var meta = await LocalMetaStore.OpenAsync(dir.Sub("meta"));
        return new TestServer(dir, meta, new FakeShardCatalog(dir.Sub("data")), retentionAutoCreate);
    }

    /// <summary>Runs <paramref name="q"/> as an unchunked POST /query and returns the body without its final newline.</summary>
    public async Task<string> Query(string q, string db = "", string rp = "", bool get = false, string epoch = "", bool pretty = false)
    {
        if (!InfluxQLParser.TryParse(q, out var query, out var error)) return "{\"error\":\"" + error.ResponseMessage + "\"}";
        var buffer = new QueryResponseBuffer();
        await foreach (var result in Executor.ExecuteAsync(query, new ExecutionOptions(db, rp, get))) buffer.Add(result);
        var bytes = QueryResponseJson.ToBytes(buffer.Results, new ResultFormat(pretty, ResultFormat.EpochDivisorOf(epoch)));
        return Encoding.UTF8.GetString(bytes).TrimEnd('\n');
    }

    /// <summary>Runs statements that must succeed (setup).</summary>
    public async Task Exec(string q, string db = "")
    {
        string body = await Query(q, db);
        if (body.Contains("\"error\"", StringComparison.Ordinal)) throw new InvalidOperationException(q + " -> " + body);
    }

    /// <summary>
    /// Writes line protocol as InfluxDB's write path would: the shard group covering each point is created in
    /// the meta store, and the point's series and fields go into that shard's index.
    /// </summary>
    public async Task Write(string db, string rp, string lines, Precision precision = Precision.Nanosecond)
    {
        var errors = new List<string>();
        var points = new LineProtocolParser(allowUnsigned: true).ParseAll(Encoding.UTF8.GetBytes(lines), Now, precision, errors);
        if (errors.Count > 0) throw new InvalidOperationException(string.Join("; ", errors));
        foreach (var point in points)
        {
            var outcome = await Meta.ExecuteAsync(new CreateShardGroupCommand(db, rp, point.Timestamp), CancellationToken.None);
            if (!outcome.IsOk) throw new InvalidOperationException(outcome.Message);
            var group = Meta.Current.RetentionPolicy(db, rp)!.ShardGroups.Single(g => g.Id == outcome.ShardGroupId);
            Shards.GetOrCreate(group.Shards[0].Id, db, rp).Write(point);
        }
    }

    /// <summary>What InfluxDB's test harness does before each write: the database and a default policy rp (infinite).</summary>
    public async Task WriteAsHarness(string db, string rp, string lines, Precision precision = Precision.Nanosecond)
    {
        await Exec($"CREATE DATABASE \"{db}\"");
        string created = await Query($"CREATE RETENTION POLICY \"{rp}\" ON \"{db}\" DURATION INF REPLICATION 1 DEFAULT");
        if (created.Contains("already exists", StringComparison.Ordinal)) await Exec($"ALTER RETENTION POLICY \"{rp}\" ON \"{db}\" DEFAULT");
        await Write(db, rp, lines, precision);
    }

    public async ValueTask DisposeAsync()
    {
        Shards.Dispose();
        await Meta.DisposeAsync();
        _dir.Dispose();
    }

    private sealed class FixedTime(long unixNanoseconds) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => DateTimeOffset.UnixEpoch.AddTicks(unixNanoseconds / 100);
    }
}
