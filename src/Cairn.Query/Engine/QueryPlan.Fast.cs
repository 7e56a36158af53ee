using System.Text;
using Cairn.Query.Ast;
using Cairn.Query.Results;
using Cairn.Storage;
using Cairn.Storage.Engine;

namespace Cairn.Query.Engine;

internal sealed partial class QueryPlan
{
    /// <summary>
    /// Set by the engine when the measurement's shards never hold the same point twice (one database and retention
    /// policy), so their values can be folded as they are read instead of merged by time first.
    /// </summary>
    public bool ShardsDisjoint { get; init; }

    /// <summary>From this many series on, the partials path folds groups on several cores.</summary>
    private const int ParallelSeries = 256;

    /// <summary>The partial states of one GROUP BY group: per window start, one <see cref="FieldPartial"/> per leaf call.</summary>
    private sealed class PartialGroup(string[] tags, int calls)
    {
        public readonly string[] Tags = tags;
        public readonly Dictionary<long, FieldPartial[]> Windows = [];
        public long MinTime = long.MaxValue;
        public long Values;

        /// <summary>Per leveled call (mean, sum of floats): its value per window after InfluxDB's reduce levels.</summary>
        public Dictionary<long, double>[]? Leveled;

        /// <summary>
        /// Per leveled call, per shard index where the group has values: the group's partials of that shard (its
        /// series merged and reduced), waiting for the shard level that merges all groups at once.
        /// </summary>
        public SortedDictionary<int, List<Partial>>[]? ShardStreams;

        /// <summary>Per shard: the group's first time there (long.MaxValue where it has no value).</summary>
        public long[] ShardFirst = [];
        private long _lastWindow = long.MinValue;
        private FieldPartial[]? _last;

        public FieldPartial[] At(long window)
        {
            if (_last is not null && window == _lastWindow) return _last;
            if (!Windows.TryGetValue(window, out var partials)) Windows[window] = partials = new FieldPartial[calls];
            _lastWindow = window;
            return _last = partials;
        }
    }

    /// <summary>
    /// The aggregate path without rows: when every call is a simple aggregate of one field (count, sum, mean, min,
    /// max, first, last, spread), the fields are plain calls and the condition names only tags, each series' values
    /// are folded straight into typed per-window partials of its group, then filled and emitted as the row path does.
    /// False when the query needs the row path.
    /// </summary>
    private bool TryRunWithPartials(string measurement, List<IShardReader> shards, List<ResultSeries> output, out string? error)
    {
        error = null;
        // max-select-point counts rows (a time of any field), which only the row path makes.
        if (!ShardsDisjoint || _raw || _transformCalls.Count > 0 || _leafCalls.Count == 0 || Limits.MaxPoints > 0) return false;
        // SLIMIT/SOFFSET apply per shard (LimitSeriesPerShard), in the row path.
        if (stmt.SLimit > 0 || stmt.SOffset > 0) return false;
        // LIMIT/OFFSET per field (see PerFieldLimits) needs the row path's record of which cells hold points.
        if (PerFieldLimits) return false;
        foreach (var f in _fields)
            if (!OnlyCalls(f.Expr)) return false;

        var fieldTypes = new Dictionary<string, FieldType>(StringComparer.Ordinal);
        var tagKeys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var shard in shards)
        {
            if (shard is SubqueryShard) return false;
            foreach (var (key, type) in shard.Fields(measurement))
            {
                // A field with another type in another shard needs the row path's casts.
                if (fieldTypes.TryGetValue(key, out var seen) && seen != type) return false;
                fieldTypes[key] = type;
            }
            foreach (var key in shard.TagKeys(measurement)) tagKeys.Add(key);
        }

        // The fields read, and for each the leaf calls it feeds.
        var fields = new List<(string Name, FieldType Type, List<int> Calls)>();
        for (int i = 0; i < _leafCalls.Count; i++)
        {
            var call = _leafCalls[i];
            if (call.Args.Count != 1 || call.Args[0] is not VarRef { Type: not DataType.Tag } arg) return false;
            if (!fieldTypes.TryGetValue(arg.Name, out var type) || !FieldPartial.Supports(call.Name, type)) return false;
            if (arg.Type is not (DataType.Unknown or DataType.AnyField) && arg.Type != DataTypeOf(type)) return false;
            // mean, and sum of floats, round through InfluxDB's reduce levels; only ascending cursors are folded here.
            if (IsLeveled(call.Name, type) && !Ascending) return false;
            int at = fields.FindIndex(f => f.Name == arg.Name);
            if (at < 0) fields.Add((arg.Name, type, [i]));
            else fields[at].Calls.Add(i);
        }
        if (condition is not null && !OnlyTags(condition, fieldTypes)) return false;

        var required = new List<(string Tag, string Value, bool Equal)>();
        var anyOf = new List<List<(string Tag, string Value)>>();
        if (condition is not null) CollectTagConjuncts(condition, tagKeys, fieldTypes, required, anyOf);
        var series = new SortedDictionary<string, SeriesEntry>(StringComparer.Ordinal);
        var noSlots = new Dictionary<string, int>(StringComparer.Ordinal);
        var matched = new List<SeriesEntry>();
        var shardKeys = new HashSet<string>[shards.Count];
        for (int i = 0; i < shards.Count; i++)
        {
            var shard = shards[i];
            shardKeys[i] = new HashSet<string>(StringComparer.Ordinal);
            matched.Clear();
            foreach (var s in CandidateSeries(shard, measurement, required, anyOf))
                if (MatchesTagConjuncts(s, required, anyOf)) matched.Add(s);
            if (CheckSeries(matched) is { } tooMany)
            {
                error = tooMany;
                return true;
            }
            foreach (var s in matched)
            {
                string key = Encoding.UTF8.GetString(s.Key);
                shardKeys[i].Add(key);
                if (series.ContainsKey(key)) continue;
                // The condition names only tags: it holds for every point of the series or for none.
                if (condition is not null && Evaluate(condition, new RowRef(0, [], s), noSlots, null, forCondition: true) is not true) continue;
                series.Add(key, s);
            }
        }

        // The shards of one shard group count as one (their first index) for the reduce levels, as on a single server.
        var units = ShardUnits(shards);
        var unitKeys = UnitKeys(shardKeys, units);

        // The series of each group, groups in key order: a group is folded by one worker, its series in key order.
        var members = new SortedDictionary<string, (string[] Tags, List<(string Key, SeriesEntry Entry)> Series)>(StringComparer.Ordinal);
        foreach (var (seriesKey, entry) in series)
        {
            var (key, tags) = GroupKey(entry);
            if (!members.TryGetValue(key, out var group)) members[key] = group = (tags, []);
            group.Series.Add((seriesKey, entry));
        }
        var work = new List<(string[] Tags, List<(string Key, SeriesEntry Entry)> Series)>(members.Values);
        int calls = _leafCalls.Count;
        var needs = new PartialNeeds[calls];
        for (int c = 0; c < calls; c++) needs[c] = FieldPartial.Needs(_leafCalls[c].Name);
        var callTypes = new FieldType[calls];
        foreach (var (_, type, feeds) in fields)
            foreach (int c in feeds) callTypes[c] = type;
        // The calls kept as per-series, per-shard partials for the reduce levels, and each one's slot among them.
        var leveledSlot = new int[calls];
        int leveledCount = 0;
        for (int c = 0; c < calls; c++) leveledSlot[c] = IsLeveled(_leafCalls[c].Name, callTypes[c]) ? leveledCount++ : -1;
        var slotMean = new bool[leveledCount];
        for (int c = 0; c < calls; c++) if (leveledSlot[c] >= 0) slotMean[leveledSlot[c]] = _leafCalls[c].Name == "mean";
        bool regexSource = stmt.Sources.Any(static src => src is Measurement { Regex: not null });
        var folded = new PartialGroup?[work.Count];

        long readMin = ReadStart(), readMax = _range.Max;
        // Calls that keep only a count (count() of a field) take a stored block wholly inside one window as its point count.
        bool countsOnly = leveledCount == 0 && Array.TrueForAll(needs, static n => n == PartialNeeds.None);
        var cancel = Context?.CancellationToken ?? CancellationToken.None;
        var remote = RemotePartials(shards, fields, series, shardKeys, needs, leveledSlot, readMin, readMax, countsOnly, cancel);
        void FoldGroups(int from, int to)
        {
            PartialGroup target = null!;
            List<int> fed = [];
            FieldType expected = default;
            int shardAt = 0;
            var levels = new List<LevelRun>();
            var shardFirst = new long[shards.Count];
            // One sink per worker: it folds each run of values of the current field into the current group.
            ShardValueSink sink = (type, times, bits, texts) =>
            {
                if (type != expected || times.IsEmpty) return;
                if (times[0] < shardFirst[units[shardAt]]) shardFirst[units[shardAt]] = times[0];
                Fold(target, type, times, bits, texts, fed, needs, levels);
            };
            ShardBlockCountSink? wholeBlocks = !countsOnly ? null : (type, min, max, count) =>
            {
                if (type != expected || min < readMin || max > readMax) return false;
                long window = 0;
                if (Interval > 0)
                {
                    // The window Fold would put the block's first value in must hold its last one too.
                    (window, long windowEnd) = WindowBounds(min);
                    if (max >= windowEnd) return false;
                }
                if (min < shardFirst[units[shardAt]]) shardFirst[units[shardAt]] = min;
                FoldCount(target, window, min, count, fed);
                return true;
            };
            for (int g = from; g < to && !cancel.IsCancellationRequested; g++)
            {
                var groupSeries = work[g].Series;
                target = new PartialGroup(work[g].Tags, calls);
                Array.Fill(shardFirst, long.MaxValue);
                // Per leveled call, shard and member series: the series' partials in that shard (InfluxDB's first level).
                var leveled = new List<Partial>?[leveledCount, shards.Count, groupSeries.Count];
                for (int m = 0; m < groupSeries.Count; m++)
                {
                    for (int f = 0; f < fields.Count; f++)
                    {
                        var (name, type, feeds) = fields[f];
                        (fed, expected) = (feeds, type);
                        for (shardAt = 0; shardAt < shards.Count; shardAt++)
                        {
                            levels.Clear();
                            foreach (int c in feeds)
                                if (leveledSlot[c] >= 0) levels.Add(new LevelRun(_leafCalls[c].Name == "mean", leveled[leveledSlot[c], units[shardAt], m] ??= []));
                            if (remote[shardAt] is { } byField)
                            {
                                if (byField[f].TryGetValue(groupSeries[m].Key, out var partials))
                                    MergeSeries(target, type, partials, feeds, needs, levels, ref shardFirst[units[shardAt]]);
                            }
                            else
                            {
                                shards[shardAt].Scan(groupSeries[m].Entry.Key, name, readMin, readMax, sink, wholeBlocks);
                            }
                            foreach (var level in levels) level.Flush();
                        }
                    }
                }
                if (target.Windows.Count == 0) continue;
                if (leveledCount > 0)
                {
                    target.ShardFirst = (long[])shardFirst.Clone();
                    target.ShardStreams = ShardStreams(leveled, slotMean, shardFirst, unitKeys, groupSeries);
                }
                folded[g] = target;
            }
        }

        // Groups are independent: many series spread over the cores (as the licence's affinity allows).
        int workers = Math.Min(Environment.ProcessorCount, work.Count);
        if (workers > 1 && series.Count >= ParallelSeries)
        {
            int chunk = (work.Count + workers * 4 - 1) / (workers * 4);
            Parallel.For(0, (work.Count + chunk - 1) / chunk, new ParallelOptions { MaxDegreeOfParallelism = workers },
                i => FoldGroups(i * chunk, Math.Min(work.Count, (i + 1) * chunk)));
        }
        else
        {
            FoldGroups(0, work.Count);
        }
        // KILL QUERY or query-timeout: the executor answers with the reason.
        cancel.ThrowIfCancellationRequested();
        long points = 0;
        foreach (var g in folded) points += g?.Values ?? 0;
        Context?.AddPointsRead(points);

        var ordered = new List<PartialGroup>();
        foreach (var g in folded) if (g is not null) ordered.Add(g);
        if (leveledCount > 0) ReduceLevels(ordered, slotMean, shards.Count, regexSource);
        if (!Ascending) ordered.Reverse();
        var noTransforms = new Dictionary<Call, List<(long Time, object Value)>>(ReferenceEqualityComparer.Instance);
        foreach (var group in ordered)
        {
            var windows = BuildWindows(group.MinTime, () => group.Windows.Keys, out int firstOutput, out int lastOutput);
            var leaf = new Dictionary<Call, List<Sample>[]>(ReferenceEqualityComparer.Instance);
            for (int c = 0; c < calls; c++)
            {
                var call = _leafCalls[c];
                var perWindow = new List<Sample>[windows.Count];
                for (int w = 0; w < windows.Count; w++)
                {
                    perWindow[w] = [];
                    long key = Interval > 0 ? windows[w] : 0;
                    if (!group.Windows.TryGetValue(key, out var partials) || partials[c].Count == 0) continue;
                    if (leveledSlot[c] < 0) perWindow[w].Add(partials[c].Finish(call.Name, callTypes[c], windows[w]));
                    else if (group.Leveled![leveledSlot[c]].TryGetValue(key, out double value)) perWindow[w].Add(new Sample(windows[w], value, -1));
                }
                if (Interval > 0) Fill(call, windows, perWindow);
                leaf[call] = perWindow;
            }
            var rows = new List<object?[]>();
            EmitWindows(windows, firstOutput, lastOutput, leaf, noTransforms, [], noSlots, integerIntegral: false, rows);
            AppendSeries(measurement, group.Tags, rows, output);
        }
        return true;
    }

    /// <summary>The GROUP BY key of a series (its dimension tag values, a missing tag as "") and those values.</summary>
    private (string Key, string[] Tags) GroupKey(SeriesEntry entry)
    {
        var tagValues = new string[_dimensions.Count];
        var key = new StringBuilder();
        for (int i = 0; i < _dimensions.Count; i++)
        {
            tagValues[i] = entry.Tag(_dimensions[i]) ?? "";
            key.Append(tagValues[i]).Append('\0');
        }
        return (key.ToString(), tagValues);
    }

    /// <summary>Folds a run of one series' values (ascending) into the group's partials, window by window.</summary>
    private void Fold(PartialGroup group, FieldType type, ReadOnlySpan<long> times, ReadOnlySpan<long> bits, ReadOnlySpan<string> texts,
        List<int> feeds, PartialNeeds[] needs, List<LevelRun> levels)
    {
        if (times.IsEmpty) return;
        if (times[0] < group.MinTime) group.MinTime = times[0];
        group.Values += times.Length;
        bool strings = type == FieldType.String;
        for (int i = 0; i < times.Length;)
        {
            // The run of values in the window of times[i].
            long window = 0;
            int end = times.Length;
            if (Interval > 0)
            {
                (window, long windowEnd) = WindowBounds(times[i]);
                end = times[i..].BinarySearch(windowEnd);
                end = i + (end < 0 ? ~end : end);
            }
            var partials = group.At(window);
            var t = times[i..end];
            var b = strings ? default : bits[i..end];
            var s = strings ? texts[i..end] : default;
            foreach (int c in feeds) partials[c].AddRange(needs[c], type, t, b, s);
            foreach (var level in levels) level.Add(window, type, b);
            i = end;
        }
    }

    /// <summary>Per shard index, the index of the first shard of its shard group (<see cref="IShardReader.ShardGroupId"/>), or its own.</summary>
    private static int[] ShardUnits(List<IShardReader> shards)
    {
        var units = new int[shards.Count];
        var first = new Dictionary<ulong, int>();
        for (int i = 0; i < shards.Count; i++)
        {
            ulong group = shards[i].ShardGroupId;
            if (group == 0) units[i] = i;
            else if (first.TryGetValue(group, out int unit)) units[i] = unit;
            else units[i] = first[group] = i;
        }
        return units;
    }

    /// <summary>The series keys of each unit: the union of its shards' (empty for a shard that is not a unit's first).</summary>
    private static HashSet<string>[] UnitKeys(HashSet<string>[] shardKeys, int[] units)
    {
        var result = new HashSet<string>[shardKeys.Length];
        for (int i = 0; i < result.Length; i++) result[i] = units[i] == i ? new HashSet<string>(shardKeys[i], StringComparer.Ordinal) : [];
        for (int i = 0; i < result.Length; i++) if (units[i] != i) result[units[i]].UnionWith(shardKeys[i]);
        return result;
    }

    /// <summary>
    /// Per shard that folds its own partials (<see cref="IPartialShardReader"/>), per field read: the partials of each
    /// series (by key) the query reads there, fetched from all such shards at once; null for the shards read here.
    /// </summary>
    private Dictionary<string, SeriesPartials>[]?[] RemotePartials(List<IShardReader> shards, List<(string Name, FieldType Type, List<int> Calls)> fields,
        SortedDictionary<string, SeriesEntry> series, HashSet<string>[] shardKeys, PartialNeeds[] needs, int[] leveledSlot, long readMin, long readMax,
        bool countsOnly, CancellationToken cancel)
    {
        var result = new Dictionary<string, SeriesPartials>[]?[shards.Count];
        var calls = new List<(int Shard, int Field, List<string> Keys, Task<ShardPartials> Answer)>();
        for (int i = 0; i < shards.Count; i++)
        {
            if (shards[i] is not IPartialShardReader partialShard) continue;
            result[i] = new Dictionary<string, SeriesPartials>[fields.Count];
            var keys = new List<string>();
            var keyBytes = new List<byte[]>();
            foreach (var (key, entry) in series)
            {
                if (!shardKeys[i].Contains(key)) continue;
                keys.Add(key);
                keyBytes.Add(entry.Key);
            }
            for (int f = 0; f < fields.Count; f++)
            {
                result[i]![f] = new Dictionary<string, SeriesPartials>(StringComparer.Ordinal);
                if (keys.Count == 0) continue;
                var (name, type, feeds) = fields[f];
                PartialNeeds need = PartialNeeds.None;
                bool level = false;
                foreach (int c in feeds)
                {
                    need |= needs[c];
                    level |= leveledSlot[c] >= 0;
                }
                var request = new ShardPartialsRequest(keyBytes, name, type, readMin, readMax, Interval, compiler.Offset, stmt.Location, need, level, countsOnly);
                calls.Add((i, f, keys, partialShard.PartialsAsync(request, cancel)));
            }
        }
        if (calls.Count == 0) return result;
        // The shards answer concurrently; the planner waits for all (its reads are synchronous).
        Task.WhenAll(calls.Select(static c => c.Answer)).GetAwaiter().GetResult();
        foreach (var (shard, field, keys, answer) in calls)
        {
            var partials = answer.Result;
            var byKey = result[shard]![field];
            for (int k = 0; k < keys.Count && k < partials.Count; k++)
                if (partials.Series(k) is { } p) byKey[keys[k]] = p;
        }
        return result;
    }

    /// <summary>
    /// Merges one series' partials of a shard into the group's, as folding that series' values there would: the
    /// states per window into each call's partial, the window sums into the level runs.
    /// </summary>
    private static void MergeSeries(PartialGroup group, FieldType type, SeriesPartials partials, List<int> feeds, PartialNeeds[] needs,
        List<LevelRun> levels, ref long shardFirst)
    {
        if (partials.FirstTime < group.MinTime) group.MinTime = partials.FirstTime;
        if (partials.FirstTime < shardFirst) shardFirst = partials.FirstTime;
        group.Values += partials.Values;
        foreach (var w in partials.Windows)
        {
            var states = group.At(w.Window);
            foreach (int c in feeds) states[c].Merge(needs[c], type, w.State);
            foreach (var level in levels) level.AddSum(w.Window, w.LevelSum, w.State.Count);
        }
    }

    /// <summary>
    /// Folds <paramref name="count"/> values of one series, the first at <paramref name="minTime"/>, all in
    /// <paramref name="window"/>, into the group's partials of calls that keep only a count.
    /// </summary>
    private static void FoldCount(PartialGroup group, long window, long minTime, int count, List<int> feeds)
    {
        if (count == 0) return;
        if (minTime < group.MinTime) group.MinTime = minTime;
        group.Values += count;
        var partials = group.At(window);
        foreach (int c in feeds) partials[c].Count += count;
    }

    /// <summary>mean, and sum of floats: the calls whose float result depends on InfluxDB's reduce levels.</summary>
    private static bool IsLeveled(string call, FieldType type) => call == "mean" || (call == "sum" && type == FieldType.Float);

    /// <summary>
    /// One series' values of one shard, reduced per window in cursor order (ascending) into <see cref="Partial"/>s:
    /// the sum (or mean) and count of each window, as InfluxDB's storage reduces them before any merge.
    /// </summary>
    private sealed class LevelRun(bool mean, List<Partial> output)
    {
        private long _window, _count;
        private double _sum;

        public void Add(long window, FieldType type, ReadOnlySpan<long> bits)
        {
            if (_count > 0 && window != _window) Flush();
            _window = window;
            _sum = ShardPartials.LevelAdd(_sum, type, bits);
            _count += bits.Length;
        }

        /// <summary>Takes a whole window of the series (its values' time-ordered sum, from 0, and count), as a shard folded it.</summary>
        public void AddSum(long window, double sum, long count)
        {
            if (count == 0) return;
            if (_count > 0 && window != _window) Flush();
            _window = window;
            _sum += sum;
            _count += count;
        }

        public void Flush()
        {
            if (_count == 0) return;
            output.Add(new Partial(_window, mean ? _sum / _count : _sum, _count));
            (_sum, _count) = (0, 0);
        }
    }

    /// <summary>
    /// One group's partials per leveled call (slot) and shard, as <see cref="LevelMeansAndSums"/> computes them from
    /// rows: in each shard where the group has values, the member series the shard holds merged in GOMAXPROCS runs and
    /// reduced.
    /// </summary>
    private static SortedDictionary<int, List<Partial>>[] ShardStreams(List<Partial>?[,,] leveled, bool[] slotMean, long[] shardFirst,
        HashSet<string>[] shardKeys, List<(string Key, SeriesEntry Entry)> groupSeries)
    {
        var result = new SortedDictionary<int, List<Partial>>[slotMean.Length];
        for (int slot = 0; slot < slotMean.Length; slot++)
        {
            result[slot] = [];
            for (int i = 0; i < shardFirst.Length; i++)
            {
                if (shardFirst[i] == long.MaxValue) continue;
                var seriesPartials = new List<List<Partial>>();
                for (int m = 0; m < groupSeries.Count; m++)
                    if (shardKeys[i].Contains(groupSeries[m].Key)) seriesPartials.Add(leveled[slot, i, m] ?? []);
                result[slot][i] = Reduce(MergeOrder.ParallelWindowed(seriesPartials, static p => p.Window, true), slotMean[slot]);
            }
        }
        return result;
    }

    /// <summary>
    /// The leveled calls' values per window (per slot) of every group (in key order): the shards' partials of all groups
    /// merged at once (<see cref="MergeShardLevel"/>, shards in time order) and reduced, once more for a regex source,
    /// and once more for the statement.
    /// </summary>
    private static void ReduceLevels(List<PartialGroup> groups, bool[] slotMean, int shardCount, bool regexSource)
    {
        // The shards in time order: by the first time any group has there.
        var shardFirst = new long[shardCount];
        Array.Fill(shardFirst, long.MaxValue);
        foreach (var group in groups)
            for (int i = 0; i < shardFirst.Length; i++) shardFirst[i] = Math.Min(shardFirst[i], group.ShardFirst[i]);
        var order = new List<int>();
        for (int i = 0; i < shardFirst.Length; i++) if (shardFirst[i] != long.MaxValue) order.Add(i);
        order.Sort((a, b) => shardFirst[a] != shardFirst[b] ? shardFirst[a].CompareTo(shardFirst[b]) : a.CompareTo(b));
        foreach (var group in groups) group.Leveled = new Dictionary<long, double>[slotMean.Length];
        for (int slot = 0; slot < slotMean.Length; slot++)
        {
            bool mean = slotMean[slot];
            var streams = new List<SortedDictionary<int, List<Partial>>>(groups.Count);
            foreach (var group in groups) streams.Add(group.ShardStreams![slot]);
            var merged = MergeShardLevel(streams, order, ascending: true);
            for (int g = 0; g < groups.Count; g++)
            {
                var levels = Reduce(merged[g], mean);
                if (regexSource) levels = Reduce(levels, mean);
                levels = Reduce(levels, mean);
                var values = new Dictionary<long, double>(levels.Count);
                foreach (var p in levels) values[p.Window] = p.Value;
                groups[g].Leveled![slot] = values;
            }
        }
        foreach (var group in groups) group.ShardStreams = null;
    }

    private static DataType DataTypeOf(FieldType type) => type switch
    {
        FieldType.Float => DataType.Float,
        FieldType.Integer => DataType.Integer,
        FieldType.Unsigned => DataType.Unsigned,
        FieldType.Boolean => DataType.Boolean,
        _ => DataType.String,
    };

    /// <summary>True when <paramref name="expr"/> reads fields only through calls (no auxiliary field or tag).</summary>
    private static bool OnlyCalls(Expr expr) => expr switch
    {
        Call c when ValueMath.IsMathFunction(c.Name) => c.Args.All(OnlyCalls),
        Call => true,
        BinaryExpr b => OnlyCalls(b.Lhs) && OnlyCalls(b.Rhs),
        ParenExpr p => OnlyCalls(p.Expr),
        VarRef => false,
        _ => true,
    };

    /// <summary>True when <paramref name="expr"/> names no field and calls nothing.</summary>
    private static bool OnlyTags(Expr expr, Dictionary<string, FieldType> fieldTypes) => expr switch
    {
        VarRef v => v.Type == DataType.Tag || !fieldTypes.ContainsKey(v.Name),
        BinaryExpr b => OnlyTags(b.Lhs, fieldTypes) && OnlyTags(b.Rhs, fieldTypes),
        ParenExpr p => OnlyTags(p.Expr, fieldTypes),
        Call => false,
        _ => true,
    };
}
