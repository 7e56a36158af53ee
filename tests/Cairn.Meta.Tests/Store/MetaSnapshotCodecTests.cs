using Cairn.Common.Hashing;
using Cairn.Meta.Store;

namespace Cairn.Meta.Tests.Store;

/// <summary>The snapshot format, and the determinism the replicated store relies on.</summary>
public class MetaSnapshotCodecTests
{
    private static MetaState Replay(IEnumerable<MetaCommand> commands)
    {
        var m = new Machine();
        foreach (var command in commands) m.Run(command);
        return m.State;
    }

    [Test]
    public async Task Apply_SameRandomCommands_IdenticalSnapshotBytes()
    {
        for (int seed = 1; seed <= 25; seed++)
        {
            var commands = RandomCommands.Make(seed, 300);
            var a = Replay(commands);
            var b = Replay(RandomCommands.Make(seed, 300));
            await Assert.That(MetaSnapshotCodec.Encode(a).AsSpan().SequenceEqual(MetaSnapshotCodec.Encode(b))).IsTrue().Because($"seed {seed}");
            await Assert.That(a).IsEqualTo(b).Because($"seed {seed}");
            await Assert.That(a.Index).IsEqualTo(300UL);
        }
    }

    [Test]
    public async Task Apply_RandomCommands_ReachesInterestingStates()
    {
        // Guards the generator: the determinism test means little if most commands are refused.
        var codes = new HashSet<MetaErrorCode>();
        int changed = 0, groups = 0;
        for (int seed = 1; seed <= 25; seed++)
        {
            var m = new Machine();
            foreach (var command in RandomCommands.Make(seed, 300))
            {
                var result = m.Run(command);
                codes.Add(result.Code);
                if (result.Changed) changed++;
                if (result.Changed && command is CreateShardGroupCommand) groups++;
            }
        }
        await Assert.That(codes.Count).IsGreaterThanOrEqualTo(10);
        await Assert.That(changed).IsGreaterThan(25 * 300 / 6);
        await Assert.That(groups).IsGreaterThan(25 * 25);
    }

    [Test]
    public async Task EncodeDecode_RandomStates_RoundTrip()
    {
        for (int seed = 1; seed <= 25; seed++)
        {
            var state = Replay(RandomCommands.Make(seed, 300));
            var bytes = MetaSnapshotCodec.Encode(state);
            var decoded = MetaSnapshotCodec.Decode(bytes);
            await Assert.That(decoded).IsEqualTo(state).Because($"seed {seed}");
            await Assert.That(MetaSnapshotCodec.Encode(decoded).AsSpan().SequenceEqual(bytes)).IsTrue().Because($"seed {seed}");
        }
    }

    [Test]
    public async Task EncodeDecode_EmptyAndEdgeValues_RoundTrip()
    {
        var edge = new MetaState(ulong.MaxValue, 7, ulong.MaxValue, 3,
        [
            new DatabaseInfo("méäsûré 😀", "", []),
            new DatabaseInfo("db", "gone", [new RetentionPolicyInfo("rp", int.MaxValue, 0, Ns.Week,
                [new ShardGroupInfo(1, RetentionRules.MinTime, long.MaxValue, -1, 5, [new ShardInfo(2, [1, 2, 3]), new ShardInfo(3, [])])])]),
        ]);
        foreach (var state in new[] { MetaState.Empty, edge })
            await Assert.That(MetaSnapshotCodec.Decode(MetaSnapshotCodec.Encode(state))).IsEqualTo(state);
    }

    [Test]
    public async Task Encode_Empty_MatchesTheDocumentedLayout()
    {
        var bytes = MetaSnapshotCodec.Encode(MetaState.Empty);
        // index and three counters (32 bytes), then five empty lists: databases, users, meta nodes, data nodes, roles (5 × 4).
        await Assert.That(bytes.Length).IsEqualTo(12 + 52);
        await Assert.That(bytes.AsSpan(0, 4).ToArray()).IsEquivalentTo(new byte[] { 4, (byte)'C', (byte)'M', (byte)'S' });
        await Assert.That(BitConverter.ToUInt32(bytes, 4)).IsEqualTo(52u);
        await Assert.That(BitConverter.ToUInt32(bytes, 8)).IsEqualTo(Crc32C.Compute(bytes.AsSpan(12)));
    }

    [Test]
    public async Task Decode_AnyFlippedByte_Refused()
    {
        var bytes = MetaSnapshotCodec.Encode(Replay(RandomCommands.Make(3, 100)));
        var random = new Random(3);
        for (int i = 0; i < 200; i++)
        {
            var damaged = (byte[])bytes.Clone();
            int at = random.Next(damaged.Length);
            damaged[at] ^= (byte)(1 << random.Next(8));
            await Assert.That(() => MetaSnapshotCodec.Decode(damaged)).Throws<InvalidDataException>().Because($"bit flipped at {at}");
        }
    }

    [Test]
    public async Task Decode_Truncated_Refused()
    {
        var bytes = MetaSnapshotCodec.Encode(Replay(RandomCommands.Make(4, 50)));
        foreach (int n in new[] { 0, 1, 11, 12, bytes.Length / 2, bytes.Length - 1 })
        {
            int cut = n;
            await Assert.That(() => MetaSnapshotCodec.Decode(bytes.AsSpan(0, cut))).Throws<InvalidDataException>().Because($"cut at {cut}");
        }
    }

    [Test]
    public async Task Decode_Version1Snapshot_ReadsWithoutUsersQueriesOrSubscriptions()
    {
        // Version 1 as the previous release wrote it: one database "db" with policy "rp" holding one shard group.
        var w = new List<byte>();
        void U32(uint v) => w.AddRange(BitConverter.GetBytes(v));
        void U64(ulong v) => w.AddRange(BitConverter.GetBytes(v));
        void Str(string s) { U32((uint)s.Length); w.AddRange(System.Text.Encoding.UTF8.GetBytes(s)); }
        U64(9); U64(0); U64(1); U64(1);
        U32(1); Str("db"); Str("rp");
        U32(1); Str("rp"); U32(1); U64((ulong)Ns.Day); U64((ulong)Ns.Hour);
        U32(1); U64(1); U64(0); U64((ulong)Ns.Hour); U64(0); U64(0);
        U32(1); U64(1); U32(0);
        var body = w.ToArray();
        var file = new List<byte> { 1, (byte)'C', (byte)'M', (byte)'S' };
        file.AddRange(BitConverter.GetBytes((uint)body.Length));
        file.AddRange(BitConverter.GetBytes(Crc32C.Compute(body)));
        file.AddRange(body);

        var state = MetaSnapshotCodec.Decode(file.ToArray());
        await Assert.That(state.Index).IsEqualTo(9UL);
        await Assert.That(state.Users.IsEmpty).IsTrue();
        var rp = state.RetentionPolicy("db", "rp")!;
        await Assert.That(rp.ShardGroups.Length).IsEqualTo(1);
        await Assert.That(rp.Subscriptions.IsEmpty).IsTrue();
        await Assert.That(state.Database("db")!.ContinuousQueries.IsEmpty).IsTrue();
        // Written again, it is the current version and reads back the same.
        var again = MetaSnapshotCodec.Encode(state);
        await Assert.That(again[0]).IsEqualTo(MetaSnapshotCodec.FormatVersion);
        await Assert.That(MetaSnapshotCodec.Decode(again)).IsEqualTo(state);
    }

    [Test]
    public async Task EncodeDecode_UsersQueriesAndSubscriptions_RoundTrip()
    {
        var m = new Machine();
        m.Run(new CreateDatabaseCommand("db0"));
        m.Run(new CreateDatabaseCommand("db1"));
        m.Run(new CreateUserCommand("admin", "$2a$10$hash", true));
        m.Run(new CreateUserCommand("reader", "$2a$10$other", false));
        m.Run(new SetPrivilegeCommand("reader", "db1", UserPrivilege.Write));
        m.Run(new SetPrivilegeCommand("reader", "db0", UserPrivilege.Read));
        m.Run(new CreateContinuousQueryCommand("db0", "cq", "CREATE CONTINUOUS QUERY cq ON db0 BEGIN SELECT 1 END"));
        m.Run(new CreateSubscriptionCommand("db0", "autogen", "s0", SubscriptionMode.Any) { Destinations = ["udp://h:9090", "http://h:9092"] });
        var state = m.State;
        await Assert.That(state.Users.Length).IsEqualTo(2);
        var decoded = MetaSnapshotCodec.Decode(MetaSnapshotCodec.Encode(state));
        await Assert.That(decoded).IsEqualTo(state);
        await Assert.That(decoded.User("reader")!.Privileges.Select(p => p.Database).ToArray()).IsEquivalentTo(new[] { "db0", "db1" });
    }
}
