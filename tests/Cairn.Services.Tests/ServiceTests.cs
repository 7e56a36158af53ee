using Cairn.Meta.Store;
using Cairn.Storage.Engine;

namespace Cairn.Services.Tests;

/// <summary>A clock the test moves by hand.</summary>
internal sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>A real local meta store and shard store in a temp directory.</summary>
internal sealed class Stores : IAsyncDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "cairn-services-" + Guid.NewGuid().ToString("N"));

    public LocalMetaStore Meta { get; private set; } = null!;
    public TsdbStore Store { get; private set; } = null!;

    public static async Task<Stores> OpenAsync()
    {
        var s = new Stores();
        s.Meta = await LocalMetaStore.OpenAsync(Path.Combine(s._dir, "meta"));
        s.Store = new TsdbStore(Path.Combine(s._dir, "data"), Path.Combine(s._dir, "wal"), new EngineOptions());
        await s.Store.OpenAsync();
        return s;
    }

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        await Meta.DisposeAsync();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}

public class RetentionServiceTests
{
    private static readonly long Hour = TimeSpan.FromHours(1).Ticks * 100;
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);
    private static long Nanos(DateTimeOffset t) => t.ToUnixTimeMilliseconds() * 1_000_000L;

    private static async Task<(Stores Stores, ShardInfo Shard)> OneHourPolicyWithAGroupAsync()
    {
        var stores = await Stores.OpenAsync();
        await stores.Meta.ExecuteAsync(new CreateDatabaseCommand("db"), CancellationToken.None);
        var created = await stores.Meta.ExecuteAsync(new CreateRetentionPolicyCommand("db", new RetentionPolicySpec("short", Hour, 1, Hour), MakeDefault: true), CancellationToken.None);
        if (!created.IsOk) throw new Exception(created.ToString());
        await stores.Meta.ExecuteAsync(new CreateShardGroupCommand("db", "short", Nanos(T0)), CancellationToken.None);
        var shard = stores.Meta.Current.RetentionPolicy("db", "short")!.ShardGroups.Single().Shards.Single();
        await stores.Store.GetOrCreateShardAsync("db", "short", shard.Id);
        return (stores, shard);
    }

    [Test]
    public async Task ExpiredGroup_IsDeletedFromMeta_AndItsShardFromDisk()
    {
        var (stores, shard) = await OneHourPolicyWithAGroupAsync();
        await using var _ = stores;
        var directory = stores.Store.Shard(shard.Id)!.DataDirectory;
        var clock = new ManualClock(T0.AddHours(3)); // group ends at T0+1h, expires after T0+2h
        int deleted = await new RetentionService(stores.Meta, stores.Store, stores.Store, clock).RunOnceAsync(CancellationToken.None);

        await Assert.That(deleted).IsEqualTo(1);
        await Assert.That(stores.Store.Shard(shard.Id)).IsNull();
        await Assert.That(Directory.Exists(directory)).IsFalse();
        await Assert.That(stores.Meta.Current.RetentionPolicy("db", "short")!.ShardGroups.Where(g => !g.Deleted)).IsEmpty();
    }

    [Test]
    public async Task GroupWithinTheRetentionPeriod_IsKept()
    {
        var (stores, shard) = await OneHourPolicyWithAGroupAsync();
        await using var _ = stores;
        var clock = new ManualClock(T0.AddMinutes(90));
        int deleted = await new RetentionService(stores.Meta, stores.Store, stores.Store, clock).RunOnceAsync(CancellationToken.None);
        await Assert.That(deleted).IsEqualTo(0);
        await Assert.That(stores.Store.Shard(shard.Id)).IsNotNull();
        await Assert.That(stores.Meta.Current.RetentionPolicy("db", "short")!.ShardGroups.Single().Deleted).IsFalse();
    }

    [Test]
    public async Task LocalShardMetaNoLongerKnows_IsDeleted()
    {
        var (stores, shard) = await OneHourPolicyWithAGroupAsync();
        await using var _ = stores;
        var orphan = await stores.Store.GetOrCreateShardAsync("gone", "autogen", 999);
        var clock = new ManualClock(T0.AddMinutes(10));
        int deleted = await new RetentionService(stores.Meta, stores.Store, stores.Store, clock).RunOnceAsync(CancellationToken.None);
        await Assert.That(deleted).IsEqualTo(1);
        await Assert.That(stores.Store.Shard(999)).IsNull();
        await Assert.That(stores.Store.Shard(shard.Id)).IsNotNull();
        await Assert.That(Directory.Exists(orphan.DataDirectory)).IsFalse();
    }
}

public class ShardPrecreationServiceTests
{
    private static readonly long Hour = TimeSpan.FromHours(1).Ticks * 100;
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);

    private static async Task<Stores> PolicyWithCurrentGroupAsync()
    {
        var stores = await Stores.OpenAsync();
        await stores.Meta.ExecuteAsync(new CreateDatabaseCommand("db"), CancellationToken.None);
        await stores.Meta.ExecuteAsync(new CreateRetentionPolicyCommand("db", new RetentionPolicySpec("hourly", 0, 1, Hour), MakeDefault: true), CancellationToken.None);
        await stores.Meta.ExecuteAsync(new CreateShardGroupCommand("db", "hourly", T0.ToUnixTimeMilliseconds() * 1_000_000L), CancellationToken.None);
        return stores;
    }

    [Test]
    public async Task GroupEndingWithinTheAdvancePeriod_GetsItsSuccessor()
    {
        await using var stores = await PolicyWithCurrentGroupAsync();
        var service = new ShardPrecreationService(stores.Meta, new ManualClock(T0.AddMinutes(45)));
        await Assert.That(await service.RunOnceAsync(TimeSpan.FromMinutes(30), CancellationToken.None)).IsEqualTo(1);
        var groups = stores.Meta.Current.RetentionPolicy("db", "hourly")!.ShardGroups;
        await Assert.That(groups.Length).IsEqualTo(2);
        await Assert.That(groups.Max(g => g.StartTime)).IsEqualTo(T0.AddHours(1).ToUnixTimeMilliseconds() * 1_000_000L);
        // Running again creates nothing more: the successor is not yet due.
        await Assert.That(await service.RunOnceAsync(TimeSpan.FromMinutes(30), CancellationToken.None)).IsEqualTo(0);
    }

    [Test]
    public async Task GroupEndingLaterThanTheAdvancePeriod_IsLeftAlone()
    {
        await using var stores = await PolicyWithCurrentGroupAsync();
        var service = new ShardPrecreationService(stores.Meta, new ManualClock(T0.AddMinutes(10)));
        await Assert.That(await service.RunOnceAsync(TimeSpan.FromMinutes(30), CancellationToken.None)).IsEqualTo(0);
        await Assert.That(stores.Meta.Current.RetentionPolicy("db", "hourly")!.ShardGroups.Length).IsEqualTo(1);
    }
}
