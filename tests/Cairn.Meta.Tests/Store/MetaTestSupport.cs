using Cairn.Meta.Store;

namespace Cairn.Meta.Tests.Store;

internal static class Ns
{
    public const long Second = 1_000_000_000L;
    public const long Minute = 60 * Second;
    public const long Hour = RetentionRules.Hour;
    public const long Day = RetentionRules.Day;
    public const long Week = 7 * Day;

    /// <summary>Unix nanoseconds of a UTC date and time.</summary>
    public static long At(int year, int month, int day, int hour = 0, int minute = 0, int second = 0) =>
        (new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc).Ticks - DateTime.UnixEpoch.Ticks) * 100;

    public static DateTime ToDate(long ns) => DateTime.UnixEpoch.AddTicks(ns / 100);
}

/// <summary>Applies commands to a state the way a replica does, keeping the latest state and result.</summary>
internal sealed class Machine
{
    public MetaState State { get; private set; } = MetaState.Empty;

    public MetaResult Run(MetaCommand command)
    {
        var result = MetaStateMachine.Apply(State, command, out var next);
        State = next;
        return result;
    }

    public DatabaseInfo Db(string name) => State.Database(name) ?? throw new InvalidOperationException($"no database {name}");

    public RetentionPolicyInfo Rp(string db, string rp) => State.RetentionPolicy(db, rp) ?? throw new InvalidOperationException($"no policy {db}.{rp}");
}

/// <summary>A fresh directory under the temp path, deleted with everything in it on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory() => System.IO.Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "cairn-meta-" + Guid.NewGuid().ToString("N"));

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        if (System.IO.Directory.Exists(Path)) System.IO.Directory.Delete(Path, recursive: true);
    }
}

/// <summary>Random but reproducible command sequences that exercise successes, repeats and refusals.</summary>
internal static class RandomCommands
{
    private static readonly string[] NewDatabases = ["db0", "db1", " db2 ", "bad/db"];
    private static readonly string[] Databases = ["db0", "db0", "db1", "db2", "nodb"];
    private static readonly string[] Policies = ["autogen", "autogen", "rp0", "rp0", "rp1", "."];
    private static readonly long[] Durations = [0, 30 * Ns.Minute, Ns.Hour, 2 * Ns.Hour, Ns.Day, 3 * Ns.Day, Ns.Week, 200 * Ns.Day];
    private static readonly long Base = Ns.At(2026, 5, 13);

    public static List<MetaCommand> Make(int seed, int count)
    {
        var random = new Random(seed);
        var commands = new List<MetaCommand>(count);
        ulong maxGroup = 0;
        for (int i = 0; i < count; i++)
        {
            var command = Next(random, maxGroup);
            if (command is CreateShardGroupCommand) maxGroup++;
            commands.Add(command);
        }
        return commands;
    }

    private static MetaCommand Next(Random r, ulong maxGroup)
    {
        string db = Pick(r, Databases);
        string rp = Pick(r, Policies);
        long time = Base + r.NextInt64(-120 * Ns.Day, 120 * Ns.Day);
        switch (r.Next(40))
        {
            case 0 or 1 or 2 or 3:
                return new CreateDatabaseCommand(Pick(r, NewDatabases), r.Next(3) == 0 ? Spec(r, rp) : null, r.Next(4) != 0, 1 + r.Next(3));
            case 4:
                return r.Next(3) == 0 ? new DropDatabaseCommand(db) : new PruneShardGroupsCommand(time);
            case 5 or 6 or 7 or 8:
                return new CreateRetentionPolicyCommand(db, Spec(r, rp), r.Next(3) == 0);
            case 9 or 10:
                return new UpdateRetentionPolicyCommand(db, rp, new RetentionPolicyUpdate(
                    r.Next(8) == 0 ? Pick(r, Policies) : null,
                    r.Next(2) == 0 ? Pick(r, Durations) : null,
                    r.Next(3) == 0 ? r.Next(0, 4) : null,
                    r.Next(2) == 0 ? Pick(r, Durations) : null), r.Next(3) == 0);
            case 11:
                return new DropRetentionPolicyCommand(db, rp);
            case 12:
                return new SetDefaultRetentionPolicyCommand(db, rp);
            case 13 or 14:
                return new DeleteShardGroupCommand(db, rp, (ulong)r.NextInt64(1, (long)maxGroup + 2), time);
            case 15 or 16:
                return new DropShardCommand((ulong)r.NextInt64(1, (long)maxGroup + 2), time);
            case 17:
                return new TruncateShardGroupsCommand(time);
            case 18:
                return new PruneShardGroupsCommand(time);
            default:
                return new CreateShardGroupCommand(db, rp, time) { Owners = r.Next(2) == 0 ? [] : [(ulong)r.Next(1, 5)] };
        }
    }

    private static RetentionPolicySpec Spec(Random r, string name) => new(
        r.Next(4) == 0 ? null : name,
        r.Next(3) == 0 ? null : Pick(r, Durations),
        r.Next(3) == 0 ? null : r.Next(0, 4),
        r.Next(2) == 0 ? 0 : Pick(r, Durations));

    private static T Pick<T>(Random r, T[] items) => items[r.Next(items.Length)];
}
