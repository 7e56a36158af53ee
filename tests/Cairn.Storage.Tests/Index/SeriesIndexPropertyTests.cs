using Cairn.Storage.Index;
using Cairn.Storage.Tests.Wal;
using CsCheck;

namespace Cairn.Storage.Tests.Index;

/// <summary>Random histories of adds, deletes, fields, merges and reopens, every query checked against a LINQ model.</summary>
public class SeriesIndexPropertyTests
{
    private static readonly string[] MeasurementNames = ["m0", "m1", "mé"];
    private static readonly string[] TagKeyNames = ["host", "dc", "zone", "é"];
    private static readonly string[] ValueNames = ["a", "b", "c", "é1", "z"];
    private static readonly string[] FieldNames = ["f", "g", "value"];

    // (kind 0-99, seed): 0-59 add, 60-69 delete series, 70-74 delete measurement, 75-89 field, 90-94 merge, 95-99 reopen.
    private static readonly Gen<(int Kind, int Seed)[]> Histories = Gen.Select(Gen.Int[0, 99], Gen.Int[0, int.MaxValue]).Array[1, 80];

    private sealed class Model
    {
        public readonly Dictionary<string, (uint Id, TestSeries Series)> Live = [];
        public readonly Dictionary<(string M, string F), FieldType> Fields = [];
        public uint NextId = 1;
    }

    [Test]
    public void RandomHistory_EveryQuery_MatchesModel()
    {
        Histories.Sample(history =>
        {
            using var dir = new TempDir();
            var model = new Model();
            var index = SeriesIndex.Open(dir.Path, new SeriesIndexOptions { MaxValuesPerTag = 0 });
            try
            {
                foreach (var (kind, seed) in history) index = Apply(index, dir.Path, model, kind, seed);
                Compare(index, model, "after the history");
                index.Merge();
                Compare(index, model, "after a final merge");
                index.Dispose();
                index = SeriesIndex.Open(dir.Path);
                Compare(index, model, "after a final reopen");
                Check(index.Statistics.LogRecordsReplayed == 0, "reopen after merge replayed the log");
            }
            finally
            {
                index.Dispose();
            }
        }, iter: 150);
    }

    private static SeriesIndex Apply(SeriesIndex index, string dir, Model model, int kind, int seed)
    {
        var random = new Random(seed);
        if (kind < 60)
        {
            var tags = TagKeyNames.Where(_ => random.Next(2) == 0).Select(k => (k, ValueNames[random.Next(ValueNames.Length)])).ToArray();
            var series = TestSeries.Of(MeasurementNames[random.Next(MeasurementNames.Length)], tags);
            uint id = index.Add(series);
            if (model.Live.TryGetValue(series.Key, out var existing)) Check(existing.Id == id, $"{series.Key}: id {id}, expected {existing.Id}");
            else
            {
                Check(id == model.NextId, $"{series.Key}: new id {id}, expected {model.NextId}");
                model.Live[series.Key] = (id, series);
                model.NextId++;
            }
        }
        else if (kind < 70)
        {
            var ids = Enumerable.Range(0, random.Next(1, 4)).Select(_ => (uint)random.Next(1, (int)model.NextId + 1)).ToArray();
            int deleted = index.DeleteSeries(ids);
            var gone = model.Live.Where(p => ids.Contains(p.Value.Id)).Select(p => p.Key).ToList();
            Check(deleted == gone.Count, $"DeleteSeries deleted {deleted}, expected {gone.Count}");
            foreach (var key in gone) model.Live.Remove(key);
        }
        else if (kind < 75)
        {
            string m = MeasurementNames[random.Next(MeasurementNames.Length)];
            index.DeleteMeasurement(m);
            foreach (var key in model.Live.Where(p => p.Value.Series.Measurement == m).Select(p => p.Key).ToList()) model.Live.Remove(key);
            foreach (var field in model.Fields.Keys.Where(f => f.M == m).ToList()) model.Fields.Remove(field);
        }
        else if (kind < 90)
        {
            string m = MeasurementNames[random.Next(MeasurementNames.Length)], f = FieldNames[random.Next(FieldNames.Length)];
            var type = (FieldType)random.Next(1, 6);
            var result = index.Field(m, f, type, out var existing);
            if (model.Fields.TryGetValue((m, f), out var first))
                Check(result == (first == type ? FieldTypeResult.Exists : FieldTypeResult.Conflict) && existing == first, $"field {m}.{f}: {result} {existing}, first was {first}");
            else
            {
                Check(result == FieldTypeResult.Created, $"field {m}.{f}: {result}, expected Created");
                model.Fields[(m, f)] = type;
            }
        }
        else if (kind < 95)
        {
            index.Merge();
        }
        else
        {
            index.Dispose();
            index = SeriesIndex.Open(dir, new SeriesIndexOptions { MaxValuesPerTag = 0 });
        }
        return index;
    }

    private static void Compare(SeriesIndex index, Model model, string when)
    {
        var live = model.Live.Values.ToList();
        Check(index.SeriesCount == live.Count, $"{when}: SeriesCount {index.SeriesCount}, expected {live.Count}");
        Same(index.Measurements(), live.Select(s => s.Series.Measurement).Distinct().OrderBy(m => m, StringComparer.Ordinal), $"{when}: Measurements");
        foreach (var m in MeasurementNames)
        {
            var ofM = live.Where(s => s.Series.Measurement == m).ToList();
            Same(index.SeriesIds(m), ofM.Select(s => s.Id).Order(), $"{when}: SeriesIds({m})");
            Same(index.TagKeys(m), ofM.SelectMany(s => s.Series.Tags.Select(t => t.Key)).Distinct().OrderBy(k => k, StringComparer.Ordinal), $"{when}: TagKeys({m})");
            foreach (var k in TagKeyNames)
            {
                var withK = ofM.SelectMany(s => s.Series.Tags.Where(t => t.Key == k).Select(t => (s.Id, t.Value))).ToList();
                Same(index.TagValues(m, k), withK.Select(x => x.Value).Distinct().OrderBy(v => v, StringComparer.Ordinal), $"{when}: TagValues({m}, {k})");
                foreach (var v in ValueNames)
                    Same(index.SeriesIdsForTag(m, k, v), withK.Where(x => x.Value == v).Select(x => x.Id).Order(), $"{when}: SeriesIdsForTag({m}, {k}, {v})");
            }
            Same(index.Fields(m), model.Fields.Where(f => f.Key.M == m).Select(f => (f.Key.F, f.Value)).OrderBy(f => f.F, StringComparer.Ordinal), $"{when}: Fields({m})");
        }
        var byId = live.ToDictionary(s => s.Id, s => s.Series.Key);
        for (uint id = 0; id <= model.NextId; id++)
            Check(index.Key(id) == (byId.TryGetValue(id, out var key) ? key : "<none>"), $"{when}: SeriesKey({id}) = {index.Key(id)}");
        foreach (var s in live)
            Check(index.TryGetId(System.Text.Encoding.UTF8.GetBytes(s.Series.Key), out uint id) && id == s.Id, $"{when}: TryGetId({s.Series.Key})");
    }

    private static void Same<T>(IEnumerable<T> actual, IEnumerable<T> expected, string what)
    {
        var a = actual.ToList();
        var e = expected.ToList();
        Check(a.SequenceEqual(e), $"{what}: [{string.Join(", ", a)}], expected [{string.Join(", ", e)}]");
    }

    private static void Check(bool condition, string message)
    {
        if (!condition) throw new Exception(message);
    }
}
