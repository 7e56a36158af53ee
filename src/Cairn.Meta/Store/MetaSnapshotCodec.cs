using Cairn.Common.Hashing;
using System.Buffers.Binary;
using System.Collections.Immutable;

namespace Cairn.Meta.Store;

/// <summary>
/// The binary snapshot of a <see cref="MetaState"/>: the meta.snapshot file, and later the Raft snapshot.
/// The same state always encodes to the same bytes (lists keep their state order), so replicas can be
/// compared byte for byte.
///
/// | offset | size | meaning                               |
/// |--------|------|---------------------------------------|
/// | 0      | 1    | format version (4; 1 to 3 still read)  |
/// | 1      | 3    | magic "CMS"                           |
/// | 4      | 4    | body length N, u32 LE                 |
/// | 8      | 4    | CRC-32C of the body, u32 LE           |
/// | 12     | N    | body: the state (docs/formats/meta.md) |
/// </summary>
public static class MetaSnapshotCodec
{
    public const byte FormatVersion = 4;

    /// <summary>Version 1 had no users, continuous queries or subscriptions; it is still read.</summary>
    private const byte FormatVersion1 = 1;

    /// <summary>Version 2 had no meta or data nodes; it is still read.</summary>
    private const byte FormatVersion2 = 2;

    /// <summary>Version 3 had no roles; it is still read.</summary>
    private const byte FormatVersion3 = 3;
    internal const int HeaderLength = 12;
    private static ReadOnlySpan<byte> Magic => "CMS"u8;

    public static byte[] Encode(MetaState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var w = new MetaBinaryWriter(4096);
        w.Byte(FormatVersion);
        foreach (byte b in Magic) w.Byte(b);
        int lengthAt = w.Reserve4();
        int crcAt = w.Reserve4();

        w.UInt64(state.Index);
        w.UInt64(state.MaxNodeId);
        w.UInt64(state.MaxShardGroupId);
        w.UInt64(state.MaxShardId);
        w.Count(state.Databases.Length);
        foreach (var db in state.Databases)
        {
            w.String(db.Name);
            w.String(db.DefaultRetentionPolicy);
            w.Count(db.RetentionPolicies.Length);
            foreach (var rp in db.RetentionPolicies)
            {
                w.String(rp.Name);
                w.Int32(rp.ReplicaN);
                w.Int64(rp.Duration);
                w.Int64(rp.ShardGroupDuration);
                w.Count(rp.ShardGroups.Length);
                foreach (var g in rp.ShardGroups)
                {
                    w.UInt64(g.Id);
                    w.Int64(g.StartTime);
                    w.Int64(g.EndTime);
                    w.Int64(g.DeletedAt);
                    w.Int64(g.TruncatedAt);
                    w.Count(g.Shards.Length);
                    foreach (var s in g.Shards)
                    {
                        w.UInt64(s.Id);
                        w.Count(s.Owners.Length);
                        foreach (var owner in s.Owners) w.UInt64(owner);
                    }
                }
                w.Count(rp.Subscriptions.Length);
                foreach (var sub in rp.Subscriptions)
                {
                    w.String(sub.Name);
                    w.Byte((byte)sub.Mode);
                    w.Count(sub.Destinations.Length);
                    foreach (var d in sub.Destinations) w.String(d);
                }
            }
            w.Count(db.ContinuousQueries.Length);
            foreach (var cq in db.ContinuousQueries)
            {
                w.String(cq.Name);
                w.String(cq.Query);
            }
        }
        w.Count(state.Users.Length);
        foreach (var user in state.Users)
        {
            w.String(user.Name);
            w.String(user.Hash);
            w.Bool(user.Admin);
            w.Count(user.Privileges.Length);
            foreach (var p in user.Privileges)
            {
                w.String(p.Database);
                w.Byte((byte)p.Privilege);
            }
        }
        WriteNodes(w, state.MetaNodes);
        WriteNodes(w, state.DataNodes);
        w.Count(state.Roles.Length);
        foreach (var role in state.Roles)
        {
            w.String(role.Name);
            MetaCommandCodec.WriteStrings(w, role.Users);
            w.Count(role.Permissions.Length);
            foreach (var p in role.Permissions)
            {
                w.String(p.Database);
                MetaCommandCodec.WriteStrings(w, p.Names);
            }
        }

        var body = w.Written[HeaderLength..];
        w.PatchUInt32(lengthAt, (uint)body.Length);
        w.PatchUInt32(crcAt, Crc32C.Compute(body));
        return w.ToArray();
    }

    /// <summary>Decodes a snapshot; throws <see cref="InvalidDataException"/> if it is damaged or of an unknown version.</summary>
    public static MetaState Decode(ReadOnlySpan<byte> data)
    {
        if (data.Length < HeaderLength) throw new InvalidDataException($"meta snapshot: {data.Length} bytes is shorter than the header");
        byte version = data[0];
        if (version is not (FormatVersion or FormatVersion1 or FormatVersion2 or FormatVersion3)) throw new InvalidDataException($"meta snapshot: unsupported format version {data[0]}");
        if (!data.Slice(1, 3).SequenceEqual(Magic)) throw new InvalidDataException("meta snapshot: bad magic");
        uint length = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
        if (length != data.Length - HeaderLength)
            throw new InvalidDataException($"meta snapshot: body length {length} but {data.Length - HeaderLength} bytes follow the header");
        var body = data[HeaderLength..];
        uint crc = BinaryPrimitives.ReadUInt32LittleEndian(data[8..]);
        if (Crc32C.Compute(body) != crc) throw new InvalidDataException("meta snapshot: checksum mismatch");

        var r = new MetaBinaryReader(body, "meta snapshot");
        ulong index = r.UInt64();
        ulong maxNodeId = r.UInt64();
        ulong maxShardGroupId = r.UInt64();
        ulong maxShardId = r.UInt64();
        var dbs = ImmutableArray.CreateBuilder<DatabaseInfo>(r.Count(12));
        for (int d = dbs.Capacity; d > 0; d--)
        {
            string name = r.String();
            string defaultRp = r.String();
            var rps = ImmutableArray.CreateBuilder<RetentionPolicyInfo>(r.Count(28));
            for (int p = rps.Capacity; p > 0; p--)
            {
                string rpName = r.String();
                int replicaN = r.Int32();
                long duration = r.Int64();
                long sgd = r.Int64();
                var groups = ImmutableArray.CreateBuilder<ShardGroupInfo>(r.Count(44));
                for (int g = groups.Capacity; g > 0; g--)
                {
                    ulong id = r.UInt64();
                    long start = r.Int64();
                    long end = r.Int64();
                    long deletedAt = r.Int64();
                    long truncatedAt = r.Int64();
                    var shards = ImmutableArray.CreateBuilder<ShardInfo>(r.Count(12));
                    for (int s = shards.Capacity; s > 0; s--)
                    {
                        ulong shardId = r.UInt64();
                        var owners = ImmutableArray.CreateBuilder<ulong>(r.Count(8));
                        for (int o = owners.Capacity; o > 0; o--) owners.Add(r.UInt64());
                        shards.Add(new ShardInfo(shardId, owners.MoveToImmutable()));
                    }
                    groups.Add(new ShardGroupInfo(id, start, end, deletedAt, truncatedAt, shards.MoveToImmutable()));
                }
                var subs = ImmutableArray<SubscriptionInfo>.Empty;
                if (version >= 2)
                {
                    var b = ImmutableArray.CreateBuilder<SubscriptionInfo>(r.Count(9));
                    for (int i = b.Capacity; i > 0; i--)
                    {
                        string subName = r.String();
                        var mode = MetaCommandCodec.ReadMode(ref r);
                        b.Add(new SubscriptionInfo(subName, mode, MetaCommandCodec.ReadStrings(ref r)));
                    }
                    subs = b.MoveToImmutable();
                }
                rps.Add(new RetentionPolicyInfo(rpName, replicaN, duration, sgd, groups.MoveToImmutable(), subs));
            }
            var cqs = ImmutableArray<ContinuousQueryInfo>.Empty;
            if (version >= 2)
            {
                var b = ImmutableArray.CreateBuilder<ContinuousQueryInfo>(r.Count(8));
                for (int i = b.Capacity; i > 0; i--) b.Add(new ContinuousQueryInfo(r.String(), r.String()));
                cqs = b.MoveToImmutable();
            }
            dbs.Add(new DatabaseInfo(name, defaultRp, rps.MoveToImmutable(), cqs));
        }
        var users = ImmutableArray<UserInfo>.Empty;
        if (version >= 2)
        {
            var b = ImmutableArray.CreateBuilder<UserInfo>(r.Count(13));
            for (int i = b.Capacity; i > 0; i--)
            {
                string userName = r.String();
                string hash = r.String();
                bool admin = r.Bool();
                var privileges = ImmutableArray.CreateBuilder<DatabasePrivilege>(r.Count(5));
                for (int p = privileges.Capacity; p > 0; p--)
                    privileges.Add(new DatabasePrivilege(r.String(), MetaCommandCodec.ReadPrivilege(ref r)));
                b.Add(new UserInfo(userName, hash, admin, privileges.MoveToImmutable()));
            }
            users = b.MoveToImmutable();
        }
        ImmutableArray<NodeInfo> metaNodes = [], dataNodes = [];
        if (version >= 3)
        {
            metaNodes = ReadNodes(ref r);
            dataNodes = ReadNodes(ref r);
        }
        var roles = ImmutableArray<RoleInfo>.Empty;
        if (version >= 4)
        {
            var b = ImmutableArray.CreateBuilder<RoleInfo>(r.Count(12));
            for (int i = b.Capacity; i > 0; i--)
            {
                string name = r.String();
                var members = MetaCommandCodec.ReadStrings(ref r);
                var permissions = ImmutableArray.CreateBuilder<RolePermission>(r.Count(8));
                for (int p = permissions.Capacity; p > 0; p--) permissions.Add(new RolePermission(r.String(), MetaCommandCodec.ReadStrings(ref r)));
                b.Add(new RoleInfo(name, members, permissions.MoveToImmutable()));
            }
            roles = b.MoveToImmutable();
        }
        r.End();
        return new MetaState(index, maxNodeId, maxShardGroupId, maxShardId, dbs.MoveToImmutable(), users)
        {
            MetaNodes = metaNodes,
            DataNodes = dataNodes,
            Roles = roles,
        };
    }

    private static void WriteNodes(MetaBinaryWriter w, ImmutableArray<NodeInfo> nodes)
    {
        w.Count(nodes.Length);
        foreach (var node in nodes)
        {
            w.UInt64(node.Id);
            w.String(node.HttpAddr);
            w.String(node.TcpAddr);
        }
    }

    private static ImmutableArray<NodeInfo> ReadNodes(ref MetaBinaryReader r)
    {
        var b = ImmutableArray.CreateBuilder<NodeInfo>(r.Count(16));
        for (int i = b.Capacity; i > 0; i--) b.Add(new NodeInfo(r.UInt64(), r.String(), r.String()));
        return b.MoveToImmutable();
    }
}
