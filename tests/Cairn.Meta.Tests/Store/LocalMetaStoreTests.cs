using Cairn.Meta.Store;

namespace Cairn.Meta.Tests.Store;

public class LocalMetaStoreTests
{
    private static readonly MetaCommand[] Script =
    [
        new CreateDatabaseCommand("db0"),
        new CreateRetentionPolicyCommand("db0", new RetentionPolicySpec("rp0", 3 * Ns.Day, 1, 0), true),
        new CreateShardGroupCommand("db0", "rp0", Ns.At(2026, 5, 13)),
        new CreateShardGroupCommand("db0", "rp0", Ns.At(2026, 5, 14)) { Owners = [1] },
        new CreateDatabaseCommand("db1", new RetentionPolicySpec(Duration: Ns.Week)),
        new DeleteShardGroupCommand("db0", "rp0", 1, Ns.At(2026, 5, 20)),
        new DropShardCommand(1, Ns.At(2026, 5, 20)),
        new UpdateRetentionPolicyCommand("db0", "autogen", new RetentionPolicyUpdate(ReplicaN: 2), false),
        new TruncateShardGroupsCommand(Ns.At(2026, 5, 14, 12)),
        new DropDatabaseCommand("db1"),
    ];

    private static async Task<List<MetaState>> RunScript(LocalMetaStore store)
    {
        var states = new List<MetaState> { store.Current };
        foreach (var command in Script)
        {
            var result = await store.ExecuteAsync(command, CancellationToken.None);
            if (!result.IsOk || !result.Changed) throw new InvalidOperationException($"{command}: {result}");
            states.Add(store.Current);
        }
        return states;
    }

    private static MetaState Expected(int commands)
    {
        var m = new Machine();
        foreach (var command in Script.Take(commands)) m.Run(command);
        return m.State;
    }

    [Test]
    public async Task OpenAsync_EmptyDirectory_EmptyState()
    {
        using var dir = new TempDirectory();
        await using var store = await LocalMetaStore.OpenAsync(dir.File("meta"));
        await Assert.That(store.Current).IsEqualTo(MetaState.Empty);
        await Assert.That(File.Exists(dir.File("meta/meta.log"))).IsTrue();
    }

    [Test]
    public async Task ExecuteAsync_Commands_StateMatchesTheStateMachine()
    {
        using var dir = new TempDirectory();
        await using var store = await LocalMetaStore.OpenAsync(dir.Path);
        var states = await RunScript(store);
        await Assert.That(store.Current).IsEqualTo(Expected(Script.Length));
        await Assert.That(store.Current.Index).IsEqualTo((ulong)Script.Length);
        await Assert.That(states[3].Index).IsEqualTo(3UL);
    }

    [Test]
    public async Task OpenAsync_AfterCommands_SameState()
    {
        using var dir = new TempDirectory();
        MetaState before;
        await using (var store = await LocalMetaStore.OpenAsync(dir.Path))
        {
            await RunScript(store);
            before = store.Current;
        }
        await using var reopened = await LocalMetaStore.OpenAsync(dir.Path);
        await Assert.That(reopened.Current).IsEqualTo(before);
        await Assert.That(File.Exists(dir.File(LocalMetaStore.SnapshotFileName))).IsFalse();
    }

    [Test]
    public async Task ExecuteAsync_RefusedOrRepeated_NotLoggedAndIndexUnchanged()
    {
        using var dir = new TempDirectory();
        await using var store = await LocalMetaStore.OpenAsync(dir.Path);
        await store.ExecuteAsync(new CreateDatabaseCommand("db0"), CancellationToken.None);
        long length = new FileInfo(dir.File(LocalMetaStore.LogFileName)).Length;

        var refused = await store.ExecuteAsync(new CreateRetentionPolicyCommand("nodb", new RetentionPolicySpec("rp0", Ns.Day), false), CancellationToken.None);
        var repeat = await store.ExecuteAsync(new CreateDatabaseCommand("db0"), CancellationToken.None);

        await Assert.That(refused.Message).IsEqualTo("database not found: nodb");
        await Assert.That(refused.Index).IsEqualTo(1UL);
        await Assert.That(repeat.IsOk && !repeat.Changed).IsTrue();
        await Assert.That(repeat.Index).IsEqualTo(1UL);
        await Assert.That(store.Current.Index).IsEqualTo(1UL);
        await Assert.That(new FileInfo(dir.File(LocalMetaStore.LogFileName)).Length).IsEqualTo(length);
    }

    [Test]
    public async Task ExecuteAsync_EverySnapshotInterval_SnapshotWrittenAndLogEmptied()
    {
        using var dir = new TempDirectory();
        await using (var store = await LocalMetaStore.OpenAsync(dir.Path, snapshotInterval: 4))
        {
            await RunScript(store); // 10 commands: snapshots at 4 and 8, two left in the log
            var snapshot = MetaSnapshotCodec.Decode(await File.ReadAllBytesAsync(dir.File(LocalMetaStore.SnapshotFileName)));
            await Assert.That(snapshot).IsEqualTo(Expected(8));
            await Assert.That(File.Exists(dir.File("meta.snapshot.tmp"))).IsFalse();
        }
        var records = new List<MetaCommandLog.Record>();
        using (MetaCommandLog.Open(dir.File(LocalMetaStore.LogFileName), records)) { }
        await Assert.That(records.Select(r => r.Index).ToArray()).IsEquivalentTo(new ulong[] { 9, 10 });

        await using var reopened = await LocalMetaStore.OpenAsync(dir.Path, snapshotInterval: 4);
        await Assert.That(reopened.Current).IsEqualTo(Expected(Script.Length));
    }

    [Test]
    public async Task OpenAsync_LogRecordsAlreadyInTheSnapshot_SkippedAndLogEmptied()
    {
        // A crash between renaming the new snapshot and emptying the log leaves old records behind.
        using var dir = new TempDirectory();
        await using (var store = await LocalMetaStore.OpenAsync(dir.Path, snapshotInterval: 3))
        {
            await store.ExecuteAsync(Script[0], CancellationToken.None);
            await store.ExecuteAsync(Script[1], CancellationToken.None);
        }
        var oldLog = await File.ReadAllBytesAsync(dir.File(LocalMetaStore.LogFileName)); // records 1 and 2
        await using (var store = await LocalMetaStore.OpenAsync(dir.Path, snapshotInterval: 3))
            await store.ExecuteAsync(Script[2], CancellationToken.None); // snapshot at 3, log emptied
        await File.WriteAllBytesAsync(dir.File(LocalMetaStore.LogFileName), oldLog);

        await using (var reopened = await LocalMetaStore.OpenAsync(dir.Path, snapshotInterval: 3))
            await Assert.That(reopened.Current).IsEqualTo(Expected(3));
        await Assert.That(new FileInfo(dir.File(LocalMetaStore.LogFileName)).Length).IsEqualTo((long)MetaCommandLog.HeaderLength);
    }

    [Test]
    public async Task OpenAsync_TornLogTail_TruncatedToTheAcknowledgedPrefix()
    {
        using var dir = new TempDirectory();
        var ends = new List<long>();
        await using (var store = await LocalMetaStore.OpenAsync(dir.Path))
        {
            ends.Add(new FileInfo(dir.File(LocalMetaStore.LogFileName)).Length);
            foreach (var command in Script)
            {
                await store.ExecuteAsync(command, CancellationToken.None);
                ends.Add(new FileInfo(dir.File(LocalMetaStore.LogFileName)).Length);
            }
        }
        // Cut the last record in half: its command was never acknowledged.
        using (var log = File.Open(dir.File(LocalMetaStore.LogFileName), FileMode.Open))
            log.SetLength(ends[^1] - 5);

        await using (var reopened = await LocalMetaStore.OpenAsync(dir.Path))
        {
            await Assert.That(reopened.Current).IsEqualTo(Expected(Script.Length - 1));
            await Assert.That(new FileInfo(dir.File(LocalMetaStore.LogFileName)).Length).IsEqualTo(ends[^2]);
            // The log continues cleanly after the cut.
            await reopened.ExecuteAsync(Script[^1], CancellationToken.None);
        }
        await using var again = await LocalMetaStore.OpenAsync(dir.Path);
        await Assert.That(again.Current).IsEqualTo(Expected(Script.Length));
    }

    [Test]
    public async Task OpenAsync_LogCutAnywhere_StateIsTheCompleteRecordsBeforeTheCut()
    {
        using var master = new TempDirectory();
        var ends = new List<long>();
        await using (var store = await LocalMetaStore.OpenAsync(master.Path))
        {
            ends.Add(new FileInfo(master.File(LocalMetaStore.LogFileName)).Length);
            foreach (var command in Script)
            {
                await store.ExecuteAsync(command, CancellationToken.None);
                ends.Add(new FileInfo(master.File(LocalMetaStore.LogFileName)).Length);
            }
        }
        var log = await File.ReadAllBytesAsync(master.File(LocalMetaStore.LogFileName));
        const int seed = 11;
        var random = new Random(seed);
        for (int trial = 0; trial < 25; trial++)
        {
            int cut = random.Next(0, log.Length + 1);
            using var dir = new TempDirectory();
            await File.WriteAllBytesAsync(dir.File(LocalMetaStore.LogFileName), log.AsSpan(0, cut).ToArray());
            await using var store = await LocalMetaStore.OpenAsync(dir.Path);
            int complete = cut < MetaCommandLog.HeaderLength ? 0 : ends.FindLastIndex(end => end <= cut);
            await Assert.That(store.Current).IsEqualTo(Expected(complete)).Because($"seed {seed}, cut at {cut}");
        }
    }

    [Test]
    public async Task OpenAsync_DamagedRecord_LogTruncatedFromThere()
    {
        using var dir = new TempDirectory();
        var ends = new List<long>();
        await using (var store = await LocalMetaStore.OpenAsync(dir.Path))
        {
            foreach (var command in Script.Take(4))
            {
                await store.ExecuteAsync(command, CancellationToken.None);
                ends.Add(new FileInfo(dir.File(LocalMetaStore.LogFileName)).Length);
            }
        }
        var bytes = await File.ReadAllBytesAsync(dir.File(LocalMetaStore.LogFileName));
        bytes[(int)ends[1] + MetaCommandLog.RecordHeaderLength + 2] ^= 0x40; // inside the third command
        await File.WriteAllBytesAsync(dir.File(LocalMetaStore.LogFileName), bytes);

        await using var reopened = await LocalMetaStore.OpenAsync(dir.Path);
        await Assert.That(reopened.Current).IsEqualTo(Expected(2));
        await Assert.That(new FileInfo(dir.File(LocalMetaStore.LogFileName)).Length).IsEqualTo(ends[1]);
    }

    [Test]
    public async Task OpenAsync_NotAMetaLog_Refused()
    {
        using var dir = new TempDirectory();
        await File.WriteAllBytesAsync(dir.File(LocalMetaStore.LogFileName), "not a meta log"u8.ToArray());
        await Assert.That(async () => await LocalMetaStore.OpenAsync(dir.Path)).Throws<InvalidDataException>();
    }

    [Test]
    public async Task OpenAsync_DamagedSnapshot_Refused()
    {
        using var dir = new TempDirectory();
        await using (var store = await LocalMetaStore.OpenAsync(dir.Path, snapshotInterval: 2))
            await RunScript(store);
        var bytes = await File.ReadAllBytesAsync(dir.File(LocalMetaStore.SnapshotFileName));
        bytes[^1] ^= 1;
        await File.WriteAllBytesAsync(dir.File(LocalMetaStore.SnapshotFileName), bytes);
        await Assert.That(async () => await LocalMetaStore.OpenAsync(dir.Path)).Throws<InvalidDataException>();
    }

    [Test]
    public async Task OpenAsync_DirectoryAlreadyOpen_Refused()
    {
        using var dir = new TempDirectory();
        await using var store = await LocalMetaStore.OpenAsync(dir.Path);
        await Assert.That(async () => await LocalMetaStore.OpenAsync(dir.Path)).Throws<IOException>();
    }

    [Test]
    public async Task WaitForIndexAsync_AlreadyPassed_CompletesAtOnce()
    {
        using var dir = new TempDirectory();
        await using var store = await LocalMetaStore.OpenAsync(dir.Path);
        await store.ExecuteAsync(Script[0], CancellationToken.None);
        var wait = store.WaitForIndexAsync(0, CancellationToken.None);
        await Assert.That(wait.IsCompleted).IsTrue();
        await Assert.That((await wait).Index).IsEqualTo(1UL);
    }

    [Test]
    public async Task WaitForIndexAsync_NextCommand_CompletesWithThatState()
    {
        using var dir = new TempDirectory();
        await using var store = await LocalMetaStore.OpenAsync(dir.Path);
        await store.ExecuteAsync(Script[0], CancellationToken.None);
        var wait = store.WaitForIndexAsync(1, CancellationToken.None);
        var further = store.WaitForIndexAsync(2, CancellationToken.None);
        await Assert.That(wait.IsCompleted).IsFalse();

        await store.ExecuteAsync(new CreateDatabaseCommand("db0"), CancellationToken.None); // a repeat: no new index
        await Assert.That(wait.IsCompleted).IsFalse();

        await store.ExecuteAsync(Script[1], CancellationToken.None);
        var state = await wait.WaitAsync(TimeSpan.FromSeconds(10));
        await Assert.That(state.Index).IsEqualTo(2UL);
        await Assert.That(state.Database("db0")!.DefaultRetentionPolicy).IsEqualTo("rp0");
        await Assert.That(further.IsCompleted).IsFalse();

        await store.ExecuteAsync(Script[2], CancellationToken.None);
        await Assert.That((await further.WaitAsync(TimeSpan.FromSeconds(10))).Index).IsEqualTo(3UL);
    }

    [Test]
    public async Task WaitForIndexAsync_Cancelled_Throws()
    {
        using var dir = new TempDirectory();
        await using var store = await LocalMetaStore.OpenAsync(dir.Path);
        using var cts = new CancellationTokenSource();
        var wait = store.WaitForIndexAsync(0, cts.Token);
        await cts.CancelAsync();
        await Assert.That(async () => await wait).Throws<OperationCanceledException>();
    }

    [Test]
    public async Task WaitForIndexAsync_StoreDisposed_Throws()
    {
        using var dir = new TempDirectory();
        var store = await LocalMetaStore.OpenAsync(dir.Path);
        var wait = store.WaitForIndexAsync(0, CancellationToken.None);
        await store.DisposeAsync();
        await Assert.That(async () => await wait.WaitAsync(TimeSpan.FromSeconds(10))).Throws<ObjectDisposedException>();
        await Assert.That(async () => await store.ExecuteAsync(Script[0], CancellationToken.None)).Throws<ObjectDisposedException>();
    }

    [Test]
    public async Task ExecuteAsync_Concurrent_EveryCommandAppliedOnce()
    {
        using var dir = new TempDirectory();
        await using (var store = await LocalMetaStore.OpenAsync(dir.Path, snapshotInterval: 7))
        {
            await store.ExecuteAsync(new CreateDatabaseCommand("db0"), CancellationToken.None);
            var tasks = Enumerable.Range(0, 40).Select(i =>
                store.ExecuteAsync(new CreateShardGroupCommand("db0", "autogen", Ns.At(2020, 1, 1) + i * Ns.Week), CancellationToken.None).AsTask());
            var results = await Task.WhenAll(tasks);
            await Assert.That(results.All(r => r.IsOk && r.Changed)).IsTrue();
            await Assert.That(results.Select(r => r.ShardGroupId).Distinct().Count()).IsEqualTo(40);
            await Assert.That(store.Current.Index).IsEqualTo(41UL);
        }
        await using var reopened = await LocalMetaStore.OpenAsync(dir.Path, snapshotInterval: 7);
        await Assert.That(reopened.Current.Index).IsEqualTo(41UL);
        await Assert.That(reopened.Current.RetentionPolicy("db0", "autogen")!.ShardGroups.Length).IsEqualTo(40);
    }

    [Test]
    public async Task OpenAsync_RandomCommandsAcrossRestarts_SameStateAsTheStateMachine()
    {
        for (int seed = 1; seed <= 5; seed++)
        {
            using var dir = new TempDirectory();
            var commands = RandomCommands.Make(seed, 120);
            var expected = MetaState.Empty;
            for (int i = 0; i < commands.Count; i += 30)
            {
                await using var store = await LocalMetaStore.OpenAsync(dir.Path, snapshotInterval: 9);
                await Assert.That(store.Current).IsEqualTo(expected).Because($"seed {seed}, reopen before command {i}");
                foreach (var command in commands.Skip(i).Take(30))
                {
                    var want = MetaStateMachine.Apply(expected, command, out var next);
                    if (want.IsOk && want.Changed) expected = next;
                    var got = await store.ExecuteAsync(command, CancellationToken.None);
                    await Assert.That(got.Code).IsEqualTo(want.Code).Because($"seed {seed}: {command}");
                }
            }
        }
    }
}
