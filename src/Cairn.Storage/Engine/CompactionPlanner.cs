using System.Globalization;

namespace Cairn.Storage.Engine;

/// <summary>
/// One planned compaction: merge <paramref name="Inputs"/> (oldest first, the order
/// <see cref="ShardFileMerger.Merge"/> takes) into <paramref name="OutputName"/> in the same directory.
/// </summary>
/// <param name="Inputs">Full paths as given to the planner, in ascending generation order.</param>
/// <param name="OutputName">The new file's name, <see cref="CompactionPlanner.FileName"/> of <paramref name="Generation"/> and <paramref name="OutputLevel"/>.</param>
/// <param name="Generation">The newest input's generation, so the output sorts where its newest data did.</param>
/// <param name="OutputLevel">The output's level.</param>
/// <param name="IsFull">A full compaction: every file of the shard, tombstones applied.</param>
/// <param name="InputBytes">The inputs' total length.</param>
public sealed record CompactionPlan(IReadOnlyList<string> Inputs, string OutputName, long Generation, int OutputLevel, bool IsFull, long InputBytes);

/// <summary>
/// Decides which shard data files to merge. Pure: it sees names and sizes, touches nothing.
/// <para>
/// Files are <c>{generation:D9}-{level:D2}.csf</c>. A cache snapshot writes a level-1 file with a new,
/// higher generation; a merge's output takes the highest generation among its inputs, so ordering
/// files by generation (then level) orders their data oldest to newest, which is what newest-wins
/// needs. That is also why a leveled merge only takes files adjacent in that order: merging around a
/// file of another level would move older data past it.
/// </para>
/// <para>
/// Leveled: every <c>filesPerLevel</c> adjacent files of level 1, 2 or 3 become one of the next level.
/// Full (a cold shard): every file becomes one top-level file, tombstones applied. Levels 4 and above
/// are all the top and are only ever fully compacted; a full compaction that would reuse an input's name
/// (one top-level file rewritten to apply deletes) takes the next free top level instead, since a
/// replaced file is deleted by name (<see cref="Shards.ShardFileReader.MarkForDelete"/>) and its
/// replacement needs its own.
/// </para>
/// </summary>
public static class CompactionPlanner
{
    /// <summary>Files merged into one at the next level.</summary>
    public const int DefaultFilesPerLevel = 4;

    /// <summary>The level of files written from a cache snapshot.</summary>
    public const int SnapshotLevel = 1;

    /// <summary>The level of fully compacted files; levels above it are the same, renamed by a rewrite.</summary>
    public const int TopLevel = 4;

    /// <summary>The highest level a name can carry (two digits).</summary>
    public const int MaxLevel = 99;

    /// <summary>The extension of shard data files.</summary>
    public const string Extension = ".csf";

    private const int GenerationDigits = 9;
    private const int LevelDigits = 2;

    /// <summary><c>{generation:D9}-{level:D2}.csf</c>.</summary>
    public static string FileName(long generation, int level)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(generation);
        ArgumentOutOfRangeException.ThrowIfLessThan(level, SnapshotLevel);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, MaxLevel);
        return string.Create(CultureInfo.InvariantCulture, $"{generation:D9}-{level:D2}{Extension}");
    }

    /// <summary>
    /// Parses a file name (no directory) made by <see cref="FileName"/>: at least nine generation digits, a
    /// dash, two level digits (1 … 99), <c>.csf</c>. Anything else — <c>.tmp</c> leftovers included — is false.
    /// </summary>
    public static bool TryParseFileName(ReadOnlySpan<char> name, out long generation, out int level)
    {
        generation = 0;
        level = 0;
        if (!name.EndsWith(Extension, StringComparison.Ordinal)) return false;
        ReadOnlySpan<char> stem = name[..^Extension.Length];
        int dash = stem.IndexOf('-');
        if (dash < GenerationDigits || stem.Length - dash - 1 != LevelDigits) return false;
        ReadOnlySpan<char> generationText = stem[..dash], levelText = stem[(dash + 1)..];
        if (!IsDigits(generationText) || !IsDigits(levelText)) return false;
        if (!long.TryParse(generationText, NumberStyles.None, CultureInfo.InvariantCulture, out long g)) return false;
        int l = (levelText[0] - '0') * 10 + (levelText[1] - '0');
        if (l < SnapshotLevel) return false;
        generation = g;
        level = l;
        return true;
    }

    /// <summary>
    /// The compactions to run now, disjoint (no file is in two plans). With <paramref name="fullCompaction"/>,
    /// at most one plan holding every file: when there is more than one file, when there are tombstones to
    /// apply, or when the only file is not yet top level. Otherwise the leveled merges, oldest first.
    /// </summary>
    /// <param name="files">The shard's data files: path, and the generation and level parsed from its name.</param>
    /// <param name="fullCompaction">The shard is cold: fold everything into one file.</param>
    /// <param name="hasTombstones">The shard has deletes not yet applied to its files.</param>
    /// <param name="filesPerLevel">Adjacent files of one level that make a leveled merge, at least 2.</param>
    public static IReadOnlyList<CompactionPlan> Plan(IReadOnlyList<(string Path, long Generation, int Level, long Length)> files,
        bool fullCompaction, bool hasTombstones = false, int filesPerLevel = DefaultFilesPerLevel)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentOutOfRangeException.ThrowIfLessThan(filesPerLevel, 2);
        if (files.Count == 0) return [];

        var sorted = new List<(string Path, long Generation, int Level, long Length)>(files);
        sorted.Sort(static (a, b) => a.Generation != b.Generation ? a.Generation.CompareTo(b.Generation) : a.Level.CompareTo(b.Level));

        return fullCompaction ? PlanFull(sorted, hasTombstones) : PlanLeveled(sorted, filesPerLevel);
    }

    private static IReadOnlyList<CompactionPlan> PlanFull(List<(string Path, long Generation, int Level, long Length)> sorted, bool hasTombstones)
    {
        if (sorted.Count == 1 && sorted[0].Level >= TopLevel && !hasTombstones) return [];

        long generation = sorted[^1].Generation;
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in sorted)
            names.Add(System.IO.Path.GetFileName(file.Path));
        int level = TopLevel;
        while (names.Contains(FileName(generation, level)))
        {
            if (++level > MaxLevel) return []; // cannot happen with fewer than 96 files of one generation
        }
        return [Build(sorted, 0, sorted.Count, generation, level, isFull: true)];
    }

    private static IReadOnlyList<CompactionPlan> PlanLeveled(List<(string Path, long Generation, int Level, long Length)> sorted, int filesPerLevel)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in sorted)
            names.Add(System.IO.Path.GetFileName(file.Path));

        var plans = new List<CompactionPlan>();
        int start = 0;
        while (start < sorted.Count)
        {
            // A run: adjacent files of one level.
            int level = sorted[start].Level, end = start + 1;
            while (end < sorted.Count && sorted[end].Level == level) end++;
            if (level < TopLevel)
            {
                for (int group = start; group + filesPerLevel <= end; group += filesPerLevel)
                {
                    long generation = sorted[group + filesPerLevel - 1].Generation;
                    // An output name that already exists is a merge that completed but whose inputs a crash kept:
                    // leave them for the full compaction, which folds everything together, rather than collide.
                    if (names.Contains(FileName(generation, level + 1))) continue;
                    plans.Add(Build(sorted, group, filesPerLevel, generation, level + 1, isFull: false));
                }
            }
            start = end;
        }
        return plans;
    }

    private static CompactionPlan Build(List<(string Path, long Generation, int Level, long Length)> sorted, int start, int count,
        long generation, int level, bool isFull)
    {
        var inputs = new string[count];
        long bytes = 0;
        for (int i = 0; i < count; i++)
        {
            inputs[i] = sorted[start + i].Path;
            bytes += sorted[start + i].Length;
        }
        return new CompactionPlan(inputs, FileName(generation, level), generation, level, isFull, bytes);
    }

    private static bool IsDigits(ReadOnlySpan<char> text)
    {
        foreach (char c in text)
        {
            if (c is < '0' or > '9') return false;
        }
        return !text.IsEmpty;
    }
}
