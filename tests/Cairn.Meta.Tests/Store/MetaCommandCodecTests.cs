using Cairn.Common.Hashing;
using Cairn.Meta.Store;

namespace Cairn.Meta.Tests.Store;

public class MetaCommandCodecTests
{
    public static IEnumerable<Func<MetaCommand>> EveryCommand() =>
    [
        () => new CreateDatabaseCommand("db0"),
        () => new CreateDatabaseCommand("méäsûré 😀", null, RetentionAutoCreate: false, DefaultReplicaN: 3),
        () => new CreateDatabaseCommand("db0", new RetentionPolicySpec()),
        () => new CreateDatabaseCommand("db0", new RetentionPolicySpec("rp0", 3 * Ns.Day, 2, 2 * Ns.Hour), true, 2),
        () => new CreateDatabaseCommand("db0", new RetentionPolicySpec("", 0, 0, -1)),
        () => new DropDatabaseCommand(""),
        () => new DropDatabaseCommand("db0"),
        () => new CreateRetentionPolicyCommand("db0", new RetentionPolicySpec("rp0", Ns.Day, 1, 0), true),
        () => new CreateRetentionPolicyCommand("db0", new RetentionPolicySpec(Duration: long.MinValue, ShardGroupDuration: long.MaxValue), false),
        () => new UpdateRetentionPolicyCommand("db0", "rp0", new RetentionPolicyUpdate(), false),
        () => new UpdateRetentionPolicyCommand("db0", "rp0", new RetentionPolicyUpdate("rp1", 0, int.MaxValue, Ns.Hour), true),
        () => new UpdateRetentionPolicyCommand("db0", "rp0", new RetentionPolicyUpdate(ShardGroupDuration: 0), true),
        () => new DropRetentionPolicyCommand("db0", "rp0"),
        () => new SetDefaultRetentionPolicyCommand("db0", "rp0"),
        () => new CreateShardGroupCommand("db0", "rp0", Ns.At(2026, 5, 13)),
        () => new CreateShardGroupCommand("db0", "rp0", RetentionRules.MinTime) { Owners = [1, 4, ulong.MaxValue] },
        () => new DeleteShardGroupCommand("db0", "rp0", ulong.MaxValue, -1),
        () => new DropShardCommand(7, Ns.At(2026, 5, 13)),
        () => new TruncateShardGroupsCommand(RetentionRules.MaxTime),
        () => new PruneShardGroupsCommand(0),
        () => new CreateUserCommand("admin", "$2a$10$abcdefghijklmnopqrstuuJ3XgW0X8ho1rTmXqUsKw4CMm9fGhT1y", true),
        () => new CreateUserCommand("ü", "", false),
        () => new DropUserCommand("u"),
        () => new UpdateUserCommand("u", "$2a$10$x"),
        () => new SetPrivilegeCommand("u", "db0", UserPrivilege.Read),
        () => new SetPrivilegeCommand("u", "db0", UserPrivilege.None),
        () => new SetAdminPrivilegeCommand("u", false),
        () => new CreateContinuousQueryCommand("db0", "cq0", "CREATE CONTINUOUS QUERY cq0 ON db0 BEGIN SELECT count(v) INTO x FROM y GROUP BY time(1m) END"),
        () => new DropContinuousQueryCommand("db0", "cq0"),
        () => new CreateSubscriptionCommand("db0", "rp0", "s0", SubscriptionMode.Any) { Destinations = ["udp://h:1", "http://u:p@h:8086"] },
        () => new CreateSubscriptionCommand("db0", "rp0", "s0", SubscriptionMode.All),
        () => new DropSubscriptionCommand("db0", "rp0", "s0"),
        () => new CreateMetaNodeCommand("m1:8091", "m1:8089"),
        () => new DeleteMetaNodeCommand(2),
        () => new CreateDataNodeCommand("d1:8086", "d1:8088", 3),
        () => new DeleteDataNodeCommand(4),
        () => new UpdateDataNodeCommand(4, "", "d2:8088"),
        () => new CreateRoleCommand("ops"),
        () => new DropRoleCommand("ops"),
        () => new ChangeRoleUsersCommand("ops", true, ["alice", "bob"]),
        () => new ChangeRolePermissionsCommand("ops", false, "db0", ["ReadData", "WriteData"]),
    ];

    [Test]
    [MethodDataSource(nameof(EveryCommand))]
    public async Task EncodeDecode_EveryCommand_RoundTrips(MetaCommand command)
    {
        var bytes = MetaCommandCodec.Encode(command);
        var decoded = MetaCommandCodec.Decode(bytes);
        await Assert.That(decoded).IsEqualTo(command);
        await Assert.That(decoded.GetType()).IsEqualTo(command.GetType());
        await Assert.That(MetaCommandCodec.Encode(decoded).AsSpan().SequenceEqual(bytes)).IsTrue();
        await Assert.That(bytes[0]).IsEqualTo(MetaCommandCodec.FormatVersion);
        await Assert.That(bytes[1]).IsEqualTo((byte)command.Type);
    }

    [Test]
    [MethodDataSource(nameof(EveryCommand))]
    public async Task Decode_EveryTruncation_Refused(MetaCommand command)
    {
        var bytes = MetaCommandCodec.Encode(command);
        for (int n = 0; n < bytes.Length; n++)
        {
            int cut = n;
            await Assert.That(() => MetaCommandCodec.Decode(bytes.AsSpan(0, cut))).Throws<InvalidDataException>().Because($"cut at {cut}");
        }
        var longer = bytes.Append((byte)0).ToArray();
        await Assert.That(() => MetaCommandCodec.Decode(longer)).Throws<InvalidDataException>();
    }

    [Test]
    public async Task Decode_UnknownVersionOrType_Refused()
    {
        var bytes = MetaCommandCodec.Encode(new DropShardCommand(1, 2));
        var version = (byte[])bytes.Clone();
        version[0] = 2;
        var type = (byte[])bytes.Clone();
        type[1] = 200;
        await Assert.That(() => MetaCommandCodec.Decode(version)).Throws<InvalidDataException>();
        await Assert.That(() => MetaCommandCodec.Decode(type)).Throws<InvalidDataException>();
    }

    [Test]
    public async Task Decode_UnknownFlagBitsOrBadBoolean_Refused()
    {
        var spec = MetaCommandCodec.Encode(new CreateRetentionPolicyCommand("d", new RetentionPolicySpec("r"), false));
        spec[2 + 4 + 1] |= 0x80; // the spec's presence flags follow the database string
        var boolean = MetaCommandCodec.Encode(new CreateRetentionPolicyCommand("d", new RetentionPolicySpec("r"), false));
        boolean[^1] = 2;
        await Assert.That(() => MetaCommandCodec.Decode(spec)).Throws<InvalidDataException>();
        await Assert.That(() => MetaCommandCodec.Decode(boolean)).Throws<InvalidDataException>();
    }

    [Test]
    public async Task Encode_DropDatabase_MatchesTheDocumentedLayout()
    {
        // docs/formats/meta.md: version 1, type 2, u32 length 3, "db0".
        byte[] expected = [1, 2, 3, 0, 0, 0, (byte)'d', (byte)'b', (byte)'0'];
        await Assert.That(MetaCommandCodec.Encode(new DropDatabaseCommand("db0"))).IsEquivalentTo(expected);
    }

    [Test]
    public async Task Encode_CreateShardGroup_MatchesTheDocumentedLayout()
    {
        byte[] expected =
        [
            1, 7,
            1, 0, 0, 0, (byte)'d',
            1, 0, 0, 0, (byte)'r',
            0x10, 0, 0, 0, 0, 0, 0, 0,      // timestamp 16
            1, 0, 0, 0,                     // one owner
            4, 0, 0, 0, 0, 0, 0, 0,         // node 4
        ];
        await Assert.That(MetaCommandCodec.Encode(new CreateShardGroupCommand("d", "r", 16) { Owners = [4] })).IsEquivalentTo(expected);
    }

    [Test]
    public async Task Crc32C_CheckValue_Matches()
    {
        // The CRC-32C check value of "123456789".
        await Assert.That(Crc32C.Compute("123456789"u8)).IsEqualTo(0xE3069283u);
        await Assert.That(Crc32C.Compute([])).IsEqualTo(0u);
    }
}
