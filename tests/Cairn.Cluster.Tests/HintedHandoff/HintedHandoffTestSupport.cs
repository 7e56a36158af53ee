using Cairn.Cluster.HintedHandoff;
using NLog;
using NLog.Config;
using NLog.Targets;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;

namespace Cairn.Cluster.Tests.HintedHandoff;

internal sealed class TempDir : IDisposable
{
    public TempDir() => System.IO.Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"cairn-hh-test-{Guid.NewGuid():N}");

    public string Node(ulong nodeId) => System.IO.Path.Combine(Path, nodeId.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public string[] Segments(ulong nodeId) =>
        System.IO.Directory.Exists(Node(nodeId))
            ? [.. System.IO.Directory.GetFiles(Node(nodeId), "*.hhq").Order(StringComparer.Ordinal)]
            : [];

    /// <summary>The node's segment file names, oldest first, comma-separated.</summary>
    public string SegmentNames(ulong nodeId) => string.Join(",", Segments(nodeId).Select(f => System.IO.Path.GetFileName(f)));

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
    }
}

/// <summary>A private NLog factory that keeps every line, so tests never touch the global configuration.</summary>
internal sealed class CapturedLog
{
    private readonly MemoryTarget _target;

    public CapturedLog()
    {
        var factory = new LogFactory();
        var config = new LoggingConfiguration(factory);
        _target = new MemoryTarget("memory") { Layout = "${level:uppercase=true}|${message}" };
        config.AddRuleForAllLevels(_target);
        factory.Configuration = config;
        Logger = factory.GetLogger("hh");
    }

    public Logger Logger { get; }

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_target) return [.. _target.Logs];
        }
    }

    public bool Has(string level, string containing) =>
        Lines.Any(l => l.StartsWith(level + "|", StringComparison.Ordinal) && l.Contains(containing, StringComparison.Ordinal));
}

/// <summary>A write as the sender saw it, with the service clock's time of the attempt.</summary>
internal sealed record SentWrite(ulong Node, ulong Shard, string Request, DateTimeOffset At);

/// <summary>
/// A <see cref="HintedWriteSender"/> whose answer per attempt is decided by <see cref="Decide"/> (null = accept).
/// Records every attempt and every accepted write.
/// </summary>
internal sealed class ScriptedSender(TimeProvider time)
{
    private readonly ConcurrentQueue<SentWrite> _attempts = new();
    private readonly ConcurrentQueue<SentWrite> _delivered = new();

    public ScriptedSender() : this(TimeProvider.System) { }

    public Func<SentWrite, int, Exception?> Decide { get; set; } = (_, _) => null;

    public IReadOnlyList<SentWrite> Attempts => [.. _attempts];

    public IReadOnlyList<SentWrite> Delivered => [.. _delivered];

    public List<string> DeliveredTo(ulong node) => [.. _delivered.Where(w => w.Node == node).Select(w => w.Request)];

    public Task Send(ulong nodeId, ulong shardId, ReadOnlyMemory<byte> request, CancellationToken ct)
    {
        var write = new SentWrite(nodeId, shardId, Encoding.UTF8.GetString(request.Span), time.GetUtcNow());
        int attempt;
        lock (_attempts)
        {
            _attempts.Enqueue(write);
            attempt = _attempts.Count;
        }
        if (Decide(write, attempt) is { } error) throw error;
        _delivered.Enqueue(write);
        return Task.CompletedTask;
    }
}

internal static class HH
{
    public static readonly DateTimeOffset Epoch = new(2026, 11, 27, 0, 0, 0, TimeSpan.Zero);

    public static HintedHandoffOptions Options(TempDir dir, CapturedLog? log = null, long segmentSize = 10L << 20, long maxSize = 10L << 30,
        TimeSpan? retryInterval = null, TimeSpan? retryMaxInterval = null, TimeSpan? maxAge = null, TimeSpan? purgeInterval = null,
        long rateLimit = 0, TimeSpan? stopTimeout = null, int retryConcurrency = 20, long batchSize = 512000, int maxWritesPending = 1024) => new()
    {
        Dir = dir.Path,
        Logger = (log ?? new CapturedLog()).Logger,
        SegmentSize = segmentSize,
        MaxSize = maxSize,
        RetryInterval = retryInterval ?? TimeSpan.FromMilliseconds(5),
        RetryMaxInterval = retryMaxInterval ?? TimeSpan.FromMilliseconds(40),
        MaxAge = maxAge ?? TimeSpan.FromHours(168),
        PurgeInterval = purgeInterval ?? TimeSpan.FromMinutes(1),
        RetryRateLimit = rateLimit,
        StopTimeout = stopTimeout ?? TimeSpan.FromSeconds(5),
        RetryConcurrency = retryConcurrency,
        BatchSize = batchSize,
        MaxWritesPending = maxWritesPending,
    };

    public static async Task<HintedHandoffService> OpenAsync(HintedHandoffOptions options, ScriptedSender sender, TimeProvider? time = null)
    {
        var service = new HintedHandoffService(options, sender.Send, time ?? TimeProvider.System);
        await service.OpenAsync(CancellationToken.None);
        return service;
    }

    /// <summary>A request of exactly <paramref name="length"/> bytes that names its entry, so replay order can be read back.</summary>
    public static byte[] Request(string name, int length = 0)
    {
        var text = name.PadRight(Math.Max(length, name.Length), '.');
        return Encoding.UTF8.GetBytes(text);
    }

    /// <summary>Bytes one record of a request of <paramref name="requestLength"/> bytes takes in a segment.</summary>
    public static int RecordLength(int requestLength) => 28 + requestLength;

    public const int SegmentHeader = 8;

    public static HintedHandoffNodeStatistics Stats(HintedHandoffService service, ulong node) => service.Statistics.Single(s => s.Node == node);

    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="timeout"/> (default 10 s) passes.</summary>
    public static async Task<bool> EventuallyAsync(Func<bool> condition, TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        var limit = timeout ?? TimeSpan.FromSeconds(10);
        while (!condition())
        {
            if (clock.Elapsed > limit) return false;
            await Task.Delay(5);
        }
        return true;
    }

    public static void FlipByte(string path, long offset)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        file.Position = offset;
        int b = file.ReadByte();
        file.Position = offset;
        file.WriteByte((byte)(b ^ 0x5A));
    }
}

/// <summary>
/// A clock that moves only when told. Timers fire, in due order, inside <see cref="Advance"/>; a test reads the due
/// times of pending timers to see what delay the code under test asked for.
/// </summary>
internal sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private readonly Lock _lock = new();
    private readonly List<ManualTimer> _timers = [];
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock) return _now;
    }

    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Due times of the timers still to fire, earliest first.</summary>
    public IReadOnlyList<DateTimeOffset> PendingDueTimes
    {
        get
        {
            lock (_lock) return [.. _timers.Select(t => t.Due).Order()];
        }
    }

    /// <summary>The earliest pending due time before <paramref name="before"/>, if any.</summary>
    public DateTimeOffset? NextDueBefore(DateTimeOffset before)
    {
        var due = PendingDueTimes.Where(d => d < before).ToList();
        return due.Count > 0 ? due[0] : null;
    }

    public void Advance(TimeSpan by)
    {
        DateTimeOffset target;
        lock (_lock) target = _now + by;
        while (true)
        {
            ManualTimer? next = null;
            lock (_lock)
            {
                foreach (var timer in _timers)
                    if (timer.Due <= target && (next is null || timer.Due < next.Due)) next = timer;
                if (next is null)
                {
                    _now = target;
                    return;
                }
                _now = next.Due;
                if (next.Period > TimeSpan.Zero && next.Period != Timeout.InfiniteTimeSpan) next.Due += next.Period;
                else _timers.Remove(next);
            }
            next.Fire();
        }
    }

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset Due;
        public TimeSpan Period;

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._lock)
            {
                owner._timers.Remove(this);
                if (dueTime == Timeout.InfiniteTimeSpan) return true;
                Due = owner._now + dueTime;
                Period = period;
                owner._timers.Add(this);
                return true;
            }
        }

        public void Dispose()
        {
            lock (owner._lock) owner._timers.Remove(this);
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
