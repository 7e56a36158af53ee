using System.Runtime.CompilerServices;
using Cairn.Storage.Encoding;
using Cairn.Storage.Shards;

namespace Cairn.Storage.Engine;

/// <summary>
/// Compaction's core: merges shard files into one, newest value winning, deletes applied.
/// <para>
/// Keys come out of a k-way merge over the inputs' sorted indexes. Each key's blocks are decoded one at
/// a time per input (memory stays at a block per input, however long the key), deleted points are
/// dropped as each block is decoded (a block a tombstone covers whole is not even decoded), and the
/// inputs are merged by timestamp into full blocks of the configured size. Where inputs do not overlap
/// in time, whole runs are copied at once. Blocks are always re-encoded: the writer has no raw-block
/// path, and re-encoding also repacks the small blocks of cache snapshots.
/// </para>
/// </summary>
public static class ShardFileMerger
{
    /// <summary>
    /// Merges <paramref name="inputs"/> (oldest first) into a new file at <paramref name="outputPath"/>,
    /// written as <c>.tmp</c>, fsync'd, renamed and the directory fsync'd (see <see cref="ShardFileWriter"/>).
    /// Where several inputs hold a value of a key at the same timestamp, the newest input's wins. Where a
    /// key's field type differs between inputs, the newest input's type wins and the other values are
    /// dropped. Points <paramref name="tombstones"/> delete are dropped, and keys left with no points omitted.
    /// A lease on every input is held for the whole merge; the inputs are not changed.
    /// </summary>
    /// <returns>The new file, or null when nothing is left (no file is written then).</returns>
    /// <exception cref="ShardFileCorruptException">
    /// An input is damaged (a block or index entry that does not check out). <c>Path</c> names that input, and
    /// <c>Key</c> and <c>Block</c> the place; no output is left behind. The caller should skip this
    /// compaction and keep the inputs: every other block of them stays readable.
    /// </exception>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> fired; no output is left behind.</exception>
    /// <exception cref="ObjectDisposedException">An input's mapping was already released (its last lease is gone).</exception>
    public static ShardFileSummary? Merge(IReadOnlyList<ShardFileReader> inputs, TombstoneSet tombstones, string outputPath,
        EncodingWorkspace workspace, int maxPointsPerBlock = ShardFileWriter.DefaultMaxPointsPerBlock, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(tombstones);
        var perInput = new TombstoneSet[inputs.Count];
        Array.Fill(perInput, tombstones);
        return Merge(inputs, perInput, outputPath, workspace, maxPointsPerBlock, ct);
    }

    /// <summary>
    /// As <see cref="Merge(IReadOnlyList{ShardFileReader}, TombstoneSet, string, EncodingWorkspace, int, CancellationToken)"/>,
    /// with each input's own deletes: <paramref name="tombstonesFor"/> is asked once per input, before the merge
    /// starts. For deletes that must not reach data written after them (a file newer than the delete).
    /// </summary>
    public static ShardFileSummary? Merge(IReadOnlyList<ShardFileReader> inputs, Func<ShardFileReader, TombstoneSet> tombstonesFor, string outputPath,
        EncodingWorkspace workspace, int maxPointsPerBlock = ShardFileWriter.DefaultMaxPointsPerBlock, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(tombstonesFor);
        var perInput = new TombstoneSet[inputs.Count];
        for (int i = 0; i < inputs.Count; i++)
            perInput[i] = tombstonesFor(inputs[i]) ?? throw new InvalidOperationException($"No tombstone set for {inputs[i].Path}.");
        return Merge(inputs, perInput, outputPath, workspace, maxPointsPerBlock, ct);
    }

    private static ShardFileSummary? Merge(IReadOnlyList<ShardFileReader> inputs, TombstoneSet[] tombstones, string outputPath,
        EncodingWorkspace workspace, int maxPointsPerBlock, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        ArgumentException.ThrowIfNullOrEmpty(outputPath);
        ct.ThrowIfCancellationRequested();

        var leases = new List<ShardFileLease>(inputs.Count);
        try
        {
            foreach (ShardFileReader input in inputs)
                leases.Add(input.AcquireLease());
            using var writer = new ShardFileWriter(outputPath, workspace, maxPointsPerBlock);
            var run = new MergeRun(inputs, tombstones, writer, workspace, maxPointsPerBlock);
            if (run.Run(ct) == 0)
                return null; // disposing the writer deletes the .tmp
            return writer.Complete();
        }
        finally
        {
            foreach (ShardFileLease lease in leases)
                lease.Dispose();
        }
    }

    /// <summary>
    /// <see cref="Merge"/> of one input: rewrites it without the points <paramref name="tombstones"/> delete
    /// (a full compaction of a shard that is down to one file).
    /// </summary>
    public static ShardFileSummary? Rewrite(ShardFileReader input, TombstoneSet tombstones, string outputPath,
        EncodingWorkspace workspace, int maxPointsPerBlock = ShardFileWriter.DefaultMaxPointsPerBlock, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(tombstones);
        return Merge([input], [tombstones], outputPath, workspace, maxPointsPerBlock, ct);
    }

    /// <summary>The k-way merge over the inputs' keys; each key goes to the merger of its field type.</summary>
    private sealed class MergeRun : IComparer<int>
    {
        private readonly IReadOnlyList<ShardFileReader> _inputs;
        private readonly TombstoneSet[] _tombstones;
        private readonly ShardFileWriter _writer;
        private readonly EncodingWorkspace _workspace;
        private readonly int _maxPointsPerBlock;

        // Per input: the entry of its current key and the ordinal of its next. The queue holds input
        // numbers ordered by current key, then by input number, so equal keys come out oldest first.
        private readonly ShardIndexEntry[] _current;
        private readonly int[] _next;
        private readonly PriorityQueue<int, int> _queue;
        private readonly List<int> _group = new();
        private readonly ShardIndexEntry[] _groupEntries;
        private readonly TombstoneSet[] _groupTombstones;

        // The current group's composite key, composed here once per key: the index stores it in two parts.
        private byte[] _key = new byte[256];

        private KeyMerge<double, FloatColumn>? _floats;
        private KeyMerge<long, IntegerColumn>? _integers;
        private KeyMerge<ulong, UnsignedColumn>? _unsigneds;
        private KeyMerge<bool, BooleanColumn>? _booleans;
        private KeyMerge<string, StringColumn>? _strings;

        public MergeRun(IReadOnlyList<ShardFileReader> inputs, TombstoneSet[] tombstones, ShardFileWriter writer,
            EncodingWorkspace workspace, int maxPointsPerBlock)
        {
            _inputs = inputs;
            _tombstones = tombstones;
            _writer = writer;
            _workspace = workspace;
            _maxPointsPerBlock = maxPointsPerBlock;
            _current = new ShardIndexEntry[inputs.Count];
            _next = new int[inputs.Count];
            _groupEntries = new ShardIndexEntry[inputs.Count];
            _groupTombstones = new TombstoneSet[inputs.Count];
            _queue = new PriorityQueue<int, int>(inputs.Count, this);
        }

        public int Compare(int x, int y)
        {
            int byKey = _current[x].CompareTo(_current[y]);
            return byKey != 0 ? byKey : x.CompareTo(y);
        }

        /// <summary>Writes every key; returns how many were written.</summary>
        public int Run(CancellationToken ct)
        {
            for (int i = 0; i < _inputs.Count; i++)
                Advance(i);

            int written = 0;
            while (_queue.TryDequeue(out int first, out _))
            {
                ct.ThrowIfCancellationRequested();
                _group.Clear();
                _group.Add(first);
                while (_queue.TryPeek(out int next, out _) && _current[next].CompareTo(_current[first]) == 0)
                    _group.Add(_queue.Dequeue());
                if (_key.Length < _current[first].KeyLength)
                    _key = new byte[Math.Max(_current[first].KeyLength, _key.Length * 2)];
                ReadOnlySpan<byte> key = _key.AsSpan(0, _current[first].CopyKeyTo(_key));

                if (MergeKey(key, ct)) written++;
                foreach (int input in _group)
                    Advance(input);
            }
            return written;
        }

        private void Advance(int input)
        {
            ShardFileReader reader = _inputs[input];
            if (_next[input] >= reader.KeyCount) return;
            _current[input] = reader.GetEntry(_next[input]++);
            _queue.Enqueue(input, input);
        }

        private bool MergeKey(ReadOnlySpan<byte> key, CancellationToken ct)
        {
            // The group is oldest first; the newest input's type is the key's type.
            FieldType type = _current[_group[^1]].FieldType;
            int count = 0;
            foreach (int input in _group)
            {
                if (_current[input].FieldType == type)
                {
                    _groupEntries[count] = _current[input];
                    _groupTombstones[count++] = _tombstones[input];
                }
            }
            ReadOnlySpan<ShardIndexEntry> entries = _groupEntries.AsSpan(0, count);
            ReadOnlySpan<TombstoneSet> tombstones = _groupTombstones.AsSpan(0, count);
            return type switch
            {
                FieldType.Float => (_floats ??= new(_writer, _workspace, _maxPointsPerBlock, _inputs.Count)).Merge(key, entries, tombstones, ct),
                FieldType.Integer => (_integers ??= new(_writer, _workspace, _maxPointsPerBlock, _inputs.Count)).Merge(key, entries, tombstones, ct),
                FieldType.Unsigned => (_unsigneds ??= new(_writer, _workspace, _maxPointsPerBlock, _inputs.Count)).Merge(key, entries, tombstones, ct),
                FieldType.Boolean => (_booleans ??= new(_writer, _workspace, _maxPointsPerBlock, _inputs.Count)).Merge(key, entries, tombstones, ct),
                _ => (_strings ??= new(_writer, _workspace, _maxPointsPerBlock, _inputs.Count)).Merge(key, entries, tombstones, ct),
            };
        }
    }

    /// <summary>One input's blocks of the current key: the decoded block and the position in it.</summary>
    private sealed class Source<T>
    {
        public ShardIndexEntry Entry;
        public TombstoneSet Tombstones = TombstoneSet.Empty;
        public int NextBlock;
        public long[] Timestamps = [];
        public T[] Values = [];
        public int Position;
        public int Count;

        public bool HasPoints => Position < Count;

        public long Time => Timestamps[Position];
    }

    /// <summary>Merges one key of field type <typeparamref name="T"/> at a time; buffers are reused across keys.</summary>
    private sealed class KeyMerge<T, TColumn> where TColumn : struct, IColumn<T>
    {
        private readonly ShardFileWriter _writer;
        private readonly EncodingWorkspace _workspace;
        private readonly Source<T>[] _sources;
        private readonly long[] _timestamps;
        private readonly T[] _values;
        private readonly List<string> _strings = new();
        private int _count;
        private bool _begun;

        public KeyMerge(ShardFileWriter writer, EncodingWorkspace workspace, int maxPointsPerBlock, int inputs)
        {
            _writer = writer;
            _workspace = workspace;
            _timestamps = new long[maxPointsPerBlock];
            _values = new T[maxPointsPerBlock];
            _sources = new Source<T>[inputs];
            for (int i = 0; i < inputs; i++)
                _sources[i] = new Source<T>();
        }

        /// <summary>Writes the key's surviving points in blocks; false when none survive (nothing written).</summary>
        public bool Merge(ReadOnlySpan<byte> key, ReadOnlySpan<ShardIndexEntry> entries, ReadOnlySpan<TombstoneSet> tombstones, CancellationToken ct)
        {
            int n = entries.Length;
            for (int i = 0; i < n; i++)
            {
                Source<T> source = _sources[i];
                source.Entry = entries[i];
                source.Tombstones = tombstones[i];
                source.NextBlock = 0;
                Load(source, key);
            }
            _count = 0;
            _begun = false;

            while (true)
            {
                // The earliest timestamp among the inputs; on a tie the newest input (highest number) wins.
                int best = -1;
                long bestTime = 0;
                for (int i = 0; i < n; i++)
                {
                    Source<T> source = _sources[i];
                    if (source.HasPoints && (best < 0 || source.Time <= bestTime))
                    {
                        best = i;
                        bestTime = source.Time;
                    }
                }
                if (best < 0) break;

                // Older inputs drop their value at that timestamp; the others' next points bound the run.
                bool bounded = false;
                long limit = 0;
                for (int i = 0; i < n; i++)
                {
                    Source<T> source = _sources[i];
                    if (i == best || !source.HasPoints) continue;
                    if (source.Time == bestTime && ++source.Position == source.Count)
                    {
                        ct.ThrowIfCancellationRequested();
                        Load(source, key);
                    }
                    if (source.HasPoints && (!bounded || source.Time < limit))
                    {
                        bounded = true;
                        limit = source.Time;
                    }
                }

                // Copy the best input's points before the bound (at least its first) into the output block.
                Source<T> from = _sources[best];
                int end = bounded ? LowerBound(from.Timestamps, from.Position, from.Count, limit) : from.Count;
                int take = Math.Min(end - from.Position, _timestamps.Length - _count);
                from.Timestamps.AsSpan(from.Position, take).CopyTo(_timestamps.AsSpan(_count));
                from.Values.AsSpan(from.Position, take).CopyTo(_values.AsSpan(_count));
                from.Position += take;
                _count += take;
                if (_count == _timestamps.Length) Flush(key);
                if (from.Position == from.Count)
                {
                    ct.ThrowIfCancellationRequested();
                    Load(from, key);
                }
            }
            if (_count > 0) Flush(key);

            if (RuntimeHelpers.IsReferenceOrContainsReferences<T>())
            {
                Array.Clear(_values); // let the strings go
                for (int i = 0; i < n; i++)
                    Array.Clear(_sources[i].Values);
            }
            return _begun;
        }

        /// <summary>Decodes the source's next block that has points left after deletes; none left leaves it empty.</summary>
        private void Load(Source<T> source, ReadOnlySpan<byte> key)
        {
            source.Position = 0;
            source.Count = 0;
            ShardIndexEntry entry = source.Entry;
            // Looked up on each load, not kept: a span cannot live in a field, and a probe is cheap next to a decode.
            ReadOnlySpan<(long Min, long Max)> ranges = source.Tombstones.RangesForKey(key);
            while (source.NextBlock < entry.BlockCount)
            {
                int block = source.NextBlock++;
                ShardBlockInfo info = entry.GetBlock(block);
                if (TombstoneSet.Covers(ranges, info.MinTime, info.MaxTime)) continue;
                if (source.Timestamps.Length < info.Count)
                {
                    source.Timestamps = new long[info.Count];
                    source.Values = new T[info.Count];
                }
                int count;
                try
                {
                    count = TColumn.Read(entry.Reader, entry, block, source.Timestamps, source.Values, _workspace, _strings);
                }
                catch (CorruptBlockException e)
                {
                    // The reader wraps decoder errors itself; this keeps the promise if one ever slips through.
                    throw new ShardFileCorruptException(entry.Reader.Path, ShardFileCorruption.BadBlock, e.Message, entry.KeyString, block, e.Reason);
                }
                if (TombstoneSet.Overlaps(ranges, info.MinTime, info.MaxTime))
                    count = TombstoneSet.Apply(ranges, source.Timestamps.AsSpan(0, count), source.Values.AsSpan(0, count));
                if (count > 0)
                {
                    source.Count = count;
                    return;
                }
            }
        }

        private void Flush(ReadOnlySpan<byte> key)
        {
            if (!_begun)
            {
                _writer.BeginKey(key, TColumn.Type);
                _begun = true;
            }
            TColumn.Write(_writer, _timestamps.AsSpan(0, _count), _values.AsSpan(0, _count));
            _count = 0;
        }

        /// <summary>The first position in [<paramref name="from"/>, <paramref name="to"/>) whose timestamp is at or after <paramref name="time"/>.</summary>
        private static int LowerBound(long[] timestamps, int from, int to, long time)
        {
            int lo = from, hi = to;
            while (lo < hi)
            {
                int mid = (int)((uint)(lo + hi) >> 1);
                if (timestamps[mid] < time) lo = mid + 1;
                else hi = mid;
            }
            return lo;
        }
    }

    /// <summary>A field type's block decoder and encoder, so one generic merge serves all five types without boxing.</summary>
    private interface IColumn<T>
    {
        static abstract FieldType Type { get; }

        static abstract int Read(ShardFileReader reader, in ShardIndexEntry entry, int block, Span<long> timestamps, T[] values,
            EncodingWorkspace workspace, List<string> strings);

        static abstract void Write(ShardFileWriter writer, ReadOnlySpan<long> timestamps, ReadOnlySpan<T> values);
    }

    private readonly struct FloatColumn : IColumn<double>
    {
        public static FieldType Type => FieldType.Float;

        public static int Read(ShardFileReader reader, in ShardIndexEntry entry, int block, Span<long> timestamps, double[] values,
            EncodingWorkspace workspace, List<string> strings) => reader.ReadBlock(entry, block, timestamps, values, workspace);

        public static void Write(ShardFileWriter writer, ReadOnlySpan<long> timestamps, ReadOnlySpan<double> values) =>
            writer.WriteBlock(timestamps, values);
    }

    private readonly struct IntegerColumn : IColumn<long>
    {
        public static FieldType Type => FieldType.Integer;

        public static int Read(ShardFileReader reader, in ShardIndexEntry entry, int block, Span<long> timestamps, long[] values,
            EncodingWorkspace workspace, List<string> strings) => reader.ReadBlock(entry, block, timestamps, values, workspace);

        public static void Write(ShardFileWriter writer, ReadOnlySpan<long> timestamps, ReadOnlySpan<long> values) =>
            writer.WriteBlock(timestamps, values);
    }

    private readonly struct UnsignedColumn : IColumn<ulong>
    {
        public static FieldType Type => FieldType.Unsigned;

        public static int Read(ShardFileReader reader, in ShardIndexEntry entry, int block, Span<long> timestamps, ulong[] values,
            EncodingWorkspace workspace, List<string> strings) => reader.ReadBlock(entry, block, timestamps, values, workspace);

        public static void Write(ShardFileWriter writer, ReadOnlySpan<long> timestamps, ReadOnlySpan<ulong> values) =>
            writer.WriteBlock(timestamps, values);
    }

    private readonly struct BooleanColumn : IColumn<bool>
    {
        public static FieldType Type => FieldType.Boolean;

        public static int Read(ShardFileReader reader, in ShardIndexEntry entry, int block, Span<long> timestamps, bool[] values,
            EncodingWorkspace workspace, List<string> strings) => reader.ReadBlock(entry, block, timestamps, values, workspace);

        public static void Write(ShardFileWriter writer, ReadOnlySpan<long> timestamps, ReadOnlySpan<bool> values) =>
            writer.WriteBlock(timestamps, values);
    }

    private readonly struct StringColumn : IColumn<string>
    {
        public static FieldType Type => FieldType.String;

        public static int Read(ShardFileReader reader, in ShardIndexEntry entry, int block, Span<long> timestamps, string[] values,
            EncodingWorkspace workspace, List<string> strings)
        {
            strings.Clear();
            int count = reader.ReadBlock(entry, block, timestamps, strings, workspace);
            strings.CopyTo(0, values, 0, count);
            strings.Clear();
            return count;
        }

        public static void Write(ShardFileWriter writer, ReadOnlySpan<long> timestamps, ReadOnlySpan<string> values) =>
            writer.WriteBlock(timestamps, values);
    }
}
