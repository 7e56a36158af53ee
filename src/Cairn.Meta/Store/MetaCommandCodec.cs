using System.Collections.Immutable;

namespace Cairn.Meta.Store;

/// <summary>
/// The binary form of meta commands: what the local log stores and what Raft will replicate.
///
/// | offset | size | meaning                                    |
/// |--------|------|--------------------------------------------|
/// | 0      | 1    | format version (1)                         |
/// | 1      | 1    | command type (<see cref="MetaCommandType"/>) |
/// | 2      | …    | the command's fields, in declaration order |
///
/// Integers are fixed-width little-endian; a string is a u32 byte length and UTF-8; optional fields
/// follow a presence-flags byte. The full field tables are in docs/formats/meta.md.
/// </summary>
public static class MetaCommandCodec
{
    public const byte FormatVersion = 1;

    // Presence flags of a RetentionPolicySpec.
    private const byte SpecName = 1, SpecDuration = 2, SpecReplicaN = 4;
    // Presence flags of a RetentionPolicyUpdate.
    private const byte UpdateName = 1, UpdateDuration = 2, UpdateReplicaN = 4, UpdateShardGroupDuration = 8;
    // Flags of CreateDatabase.
    private const byte AutoCreate = 1, HasSpec = 2;

    public static byte[] Encode(MetaCommand command)
    {
        var w = new MetaBinaryWriter();
        Write(w, command);
        return w.ToArray();
    }

    internal static void Write(MetaBinaryWriter w, MetaCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        w.Byte(FormatVersion);
        w.Byte((byte)command.Type);
        switch (command)
        {
            case CreateDatabaseCommand c:
                w.String(c.Name);
                w.Byte((byte)((c.RetentionAutoCreate ? AutoCreate : 0) | (c.RetentionPolicy is null ? 0 : HasSpec)));
                w.Int32(c.DefaultReplicaN);
                if (c.RetentionPolicy is { } spec) WriteSpec(w, spec);
                break;
            case DropDatabaseCommand c:
                w.String(c.Name);
                break;
            case CreateRetentionPolicyCommand c:
                w.String(c.Database);
                WriteSpec(w, c.Spec);
                w.Bool(c.MakeDefault);
                break;
            case UpdateRetentionPolicyCommand c:
                w.String(c.Database);
                w.String(c.Name);
                WriteUpdate(w, c.Update);
                w.Bool(c.MakeDefault);
                break;
            case DropRetentionPolicyCommand c:
                w.String(c.Database);
                w.String(c.Name);
                break;
            case SetDefaultRetentionPolicyCommand c:
                w.String(c.Database);
                w.String(c.Name);
                break;
            case CreateShardGroupCommand c:
                w.String(c.Database);
                w.String(c.RetentionPolicy);
                w.Int64(c.Timestamp);
                w.Count(c.Owners.Length);
                foreach (var owner in c.Owners) w.UInt64(owner);
                break;
            case DeleteShardGroupCommand c:
                w.String(c.Database);
                w.String(c.RetentionPolicy);
                w.UInt64(c.ShardGroupId);
                w.Int64(c.DeletedAt);
                break;
            case DropShardCommand c:
                w.UInt64(c.ShardId);
                w.Int64(c.DroppedAt);
                break;
            case TruncateShardGroupsCommand c:
                w.Int64(c.Timestamp);
                break;
            case PruneShardGroupsCommand c:
                w.Int64(c.ExpiredBefore);
                break;
            case CreateUserCommand c:
                w.String(c.Name);
                w.String(c.Hash);
                w.Bool(c.Admin);
                break;
            case DropUserCommand c:
                w.String(c.Name);
                break;
            case UpdateUserCommand c:
                w.String(c.Name);
                w.String(c.Hash);
                break;
            case SetPrivilegeCommand c:
                w.String(c.User);
                w.String(c.Database);
                w.Byte((byte)c.Privilege);
                break;
            case SetAdminPrivilegeCommand c:
                w.String(c.User);
                w.Bool(c.Admin);
                break;
            case CreateContinuousQueryCommand c:
                w.String(c.Database);
                w.String(c.Name);
                w.String(c.Query);
                break;
            case DropContinuousQueryCommand c:
                w.String(c.Database);
                w.String(c.Name);
                break;
            case CreateSubscriptionCommand c:
                w.String(c.Database);
                w.String(c.RetentionPolicy);
                w.String(c.Name);
                w.Byte((byte)c.Mode);
                w.Count(c.Destinations.Length);
                foreach (var d in c.Destinations) w.String(d);
                break;
            case DropSubscriptionCommand c:
                w.String(c.Database);
                w.String(c.RetentionPolicy);
                w.String(c.Name);
                break;
            case CreateMetaNodeCommand c:
                w.String(c.HttpAddr);
                w.String(c.TcpAddr);
                break;
            case DeleteMetaNodeCommand c:
                w.UInt64(c.Id);
                break;
            case CreateDataNodeCommand c:
                w.String(c.HttpAddr);
                w.String(c.TcpAddr);
                w.Int32(c.MaxDataNodes);
                break;
            case DeleteDataNodeCommand c:
                w.UInt64(c.Id);
                break;
            case UpdateDataNodeCommand c:
                w.UInt64(c.Id);
                w.String(c.HttpAddr);
                w.String(c.TcpAddr);
                break;
            case CreateRoleCommand c:
                w.String(c.Name);
                break;
            case DropRoleCommand c:
                w.String(c.Name);
                break;
            case ChangeRoleUsersCommand c:
                w.String(c.Name);
                w.Bool(c.Add);
                WriteStrings(w, c.Users);
                break;
            case ChangeRolePermissionsCommand c:
                w.String(c.Name);
                w.Bool(c.Add);
                w.String(c.Database);
                WriteStrings(w, c.Permissions);
                break;
            default:
                throw new ArgumentException($"unknown meta command {command.GetType().Name}", nameof(command));
        }
    }

    /// <summary>Decodes one command; throws <see cref="InvalidDataException"/> on anything malformed or unknown.</summary>
    public static MetaCommand Decode(ReadOnlySpan<byte> data)
    {
        var r = new MetaBinaryReader(data, "meta command");
        byte version = r.Byte();
        if (version != FormatVersion) r.Fail<int>($"unsupported format version {version}");
        var type = (MetaCommandType)r.Byte();
        MetaCommand command = type switch
        {
            MetaCommandType.CreateDatabase => ReadCreateDatabase(ref r),
            MetaCommandType.DropDatabase => new DropDatabaseCommand(r.String()),
            MetaCommandType.CreateRetentionPolicy => new CreateRetentionPolicyCommand(r.String(), ReadSpec(ref r), r.Bool()),
            MetaCommandType.UpdateRetentionPolicy => new UpdateRetentionPolicyCommand(r.String(), r.String(), ReadUpdate(ref r), r.Bool()),
            MetaCommandType.DropRetentionPolicy => new DropRetentionPolicyCommand(r.String(), r.String()),
            MetaCommandType.SetDefaultRetentionPolicy => new SetDefaultRetentionPolicyCommand(r.String(), r.String()),
            MetaCommandType.CreateShardGroup => ReadCreateShardGroup(ref r),
            MetaCommandType.DeleteShardGroup => new DeleteShardGroupCommand(r.String(), r.String(), r.UInt64(), r.Int64()),
            MetaCommandType.DropShard => new DropShardCommand(r.UInt64(), r.Int64()),
            MetaCommandType.TruncateShardGroups => new TruncateShardGroupsCommand(r.Int64()),
            MetaCommandType.PruneShardGroups => new PruneShardGroupsCommand(r.Int64()),
            MetaCommandType.CreateUser => new CreateUserCommand(r.String(), r.String(), r.Bool()),
            MetaCommandType.DropUser => new DropUserCommand(r.String()),
            MetaCommandType.UpdateUser => new UpdateUserCommand(r.String(), r.String()),
            MetaCommandType.SetPrivilege => new SetPrivilegeCommand(r.String(), r.String(), ReadPrivilege(ref r)),
            MetaCommandType.SetAdminPrivilege => new SetAdminPrivilegeCommand(r.String(), r.Bool()),
            MetaCommandType.CreateContinuousQuery => new CreateContinuousQueryCommand(r.String(), r.String(), r.String()),
            MetaCommandType.DropContinuousQuery => new DropContinuousQueryCommand(r.String(), r.String()),
            MetaCommandType.CreateSubscription => ReadCreateSubscription(ref r),
            MetaCommandType.CreateMetaNode => new CreateMetaNodeCommand(r.String(), r.String()),
            MetaCommandType.DeleteMetaNode => new DeleteMetaNodeCommand(r.UInt64()),
            MetaCommandType.CreateDataNode => new CreateDataNodeCommand(r.String(), r.String(), r.Int32()),
            MetaCommandType.DeleteDataNode => new DeleteDataNodeCommand(r.UInt64()),
            MetaCommandType.UpdateDataNode => new UpdateDataNodeCommand(r.UInt64(), r.String(), r.String()),
            MetaCommandType.CreateRole => new CreateRoleCommand(r.String()),
            MetaCommandType.DropRole => new DropRoleCommand(r.String()),
            MetaCommandType.ChangeRoleUsers => new ChangeRoleUsersCommand(r.String(), r.Bool(), ReadStrings(ref r)),
            MetaCommandType.ChangeRolePermissions => new ChangeRolePermissionsCommand(r.String(), r.Bool(), r.String(), ReadStrings(ref r)),
            MetaCommandType.DropSubscription => new DropSubscriptionCommand(r.String(), r.String(), r.String()),
            _ => r.Fail<MetaCommand>($"unknown command type {(byte)type}"),
        };
        r.End();
        return command;
    }

    private static CreateDatabaseCommand ReadCreateDatabase(ref MetaBinaryReader r)
    {
        string name = r.String();
        byte flags = r.Byte();
        if ((flags & ~(AutoCreate | HasSpec)) != 0) r.Fail<int>($"unknown CreateDatabase flags {flags:x2}");
        int defaultReplicaN = r.Int32();
        var spec = (flags & HasSpec) != 0 ? ReadSpec(ref r) : null;
        return new CreateDatabaseCommand(name, spec, (flags & AutoCreate) != 0, defaultReplicaN);
    }

    internal static UserPrivilege ReadPrivilege(ref MetaBinaryReader r)
    {
        byte p = r.Byte();
        return p <= (byte)UserPrivilege.All ? (UserPrivilege)p : r.Fail<UserPrivilege>($"unknown privilege {p}");
    }

    internal static SubscriptionMode ReadMode(ref MetaBinaryReader r)
    {
        byte m = r.Byte();
        return m <= (byte)SubscriptionMode.Any ? (SubscriptionMode)m : r.Fail<SubscriptionMode>($"unknown subscription mode {m}");
    }

    private static CreateSubscriptionCommand ReadCreateSubscription(ref MetaBinaryReader r)
    {
        string db = r.String();
        string rp = r.String();
        string name = r.String();
        var mode = ReadMode(ref r);
        return new CreateSubscriptionCommand(db, rp, name, mode) { Destinations = ReadStrings(ref r) };
    }

    internal static void WriteStrings(MetaBinaryWriter w, ImmutableArray<string> items)
    {
        w.Count(items.Length);
        foreach (var item in items) w.String(item);
    }

    internal static ImmutableArray<string> ReadStrings(ref MetaBinaryReader r)
    {
        int n = r.Count(4);
        var items = ImmutableArray.CreateBuilder<string>(n);
        for (int i = 0; i < n; i++) items.Add(r.String());
        return items.MoveToImmutable();
    }

    private static CreateShardGroupCommand ReadCreateShardGroup(ref MetaBinaryReader r)
    {
        string db = r.String();
        string rp = r.String();
        long timestamp = r.Int64();
        int n = r.Count(8);
        var owners = ImmutableArray.CreateBuilder<ulong>(n);
        for (int i = 0; i < n; i++) owners.Add(r.UInt64());
        return new CreateShardGroupCommand(db, rp, timestamp) { Owners = owners.MoveToImmutable() };
    }

    private static void WriteSpec(MetaBinaryWriter w, RetentionPolicySpec spec)
    {
        w.Byte((byte)((spec.Name is null ? 0 : SpecName) | (spec.Duration is null ? 0 : SpecDuration) | (spec.ReplicaN is null ? 0 : SpecReplicaN)));
        if (spec.Name is { } name) w.String(name);
        if (spec.Duration is { } duration) w.Int64(duration);
        if (spec.ReplicaN is { } replicaN) w.Int32(replicaN);
        w.Int64(spec.ShardGroupDuration);
    }

    private static RetentionPolicySpec ReadSpec(ref MetaBinaryReader r)
    {
        byte flags = r.Byte();
        if ((flags & ~(SpecName | SpecDuration | SpecReplicaN)) != 0) r.Fail<int>($"unknown retention policy spec flags {flags:x2}");
        string? name = (flags & SpecName) != 0 ? r.String() : null;
        long? duration = (flags & SpecDuration) != 0 ? r.Int64() : null;
        int? replicaN = (flags & SpecReplicaN) != 0 ? r.Int32() : null;
        return new RetentionPolicySpec(name, duration, replicaN, r.Int64());
    }

    private static void WriteUpdate(MetaBinaryWriter w, RetentionPolicyUpdate u)
    {
        w.Byte((byte)((u.Name is null ? 0 : UpdateName) | (u.Duration is null ? 0 : UpdateDuration)
            | (u.ReplicaN is null ? 0 : UpdateReplicaN) | (u.ShardGroupDuration is null ? 0 : UpdateShardGroupDuration)));
        if (u.Name is { } name) w.String(name);
        if (u.Duration is { } duration) w.Int64(duration);
        if (u.ReplicaN is { } replicaN) w.Int32(replicaN);
        if (u.ShardGroupDuration is { } sgd) w.Int64(sgd);
    }

    private static RetentionPolicyUpdate ReadUpdate(ref MetaBinaryReader r)
    {
        byte flags = r.Byte();
        if ((flags & ~(UpdateName | UpdateDuration | UpdateReplicaN | UpdateShardGroupDuration)) != 0)
            r.Fail<int>($"unknown retention policy update flags {flags:x2}");
        string? name = (flags & UpdateName) != 0 ? r.String() : null;
        long? duration = (flags & UpdateDuration) != 0 ? r.Int64() : null;
        int? replicaN = (flags & UpdateReplicaN) != 0 ? r.Int32() : null;
        long? sgd = (flags & UpdateShardGroupDuration) != 0 ? r.Int64() : null;
        return new RetentionPolicyUpdate(name, duration, replicaN, sgd);
    }
}
