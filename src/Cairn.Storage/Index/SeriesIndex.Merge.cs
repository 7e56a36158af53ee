using Cairn.Common.Platform;
using Cairn.Storage.Wal;

namespace Cairn.Storage.Index;

// Merge: fold the mapped file, the delta and the tombstones into a new series.idx, then start an empty log.
public sealed partial class SeriesIndex
{
    /// <summary>
    /// Writes the whole index as a new <c>series.idx</c> (temporary file, fsync, rename, directory fsync), maps it
    /// and empties the delta and the log. Ids do not change. Blocks writers while it runs.
    /// </summary>
    public void Merge()
    {
        lock (_lock)
        {
            var snapshot = SnapshotLocked();
            string path = Path.Combine(Directory, FileName);
            string temp = path + ".tmp";
            SeriesIndexFileWriter.Write(temp, snapshot);
            File.Move(temp, path, overwrite: true);
            DirectorySync.Flush(Directory);

            // A crash here leaves a log of the previous generation, which Open then ignores: the file holds it all.
            var file = SeriesIndexFile.Open(path, verify: false);
            _log.Restart(snapshot.Generation);
            _file?.Dispose();
            _file = file;
            _generation = snapshot.Generation;
            _deltaKeys.Clear();
            _deltaKeyById.Clear();
            _deltaMeasurements.Clear();
            _deltaFields.Clear();
            _tombstones.Clear();
            _droppedMeasurements.Clear();
            _seriesCount = file.SeriesCount;
        }
    }

    private IndexSnapshot SnapshotLocked()
    {
        var snapshot = new IndexSnapshot { Generation = _generation + 1, NextId = _nextId };
        if (_file is not null)
        {
            for (uint id = 1; id < _file.NextId; id++)
            {
                var key = _file.Key(id);
                if (!key.IsEmpty && IsLive(id)) snapshot.Series.Add((id, key.ToArray()));
            }
            for (int m = 0; m < _file.MeasurementCount; m++)
            {
                byte[] name = _file.MeasurementName(m).ToArray();
                var model = new MeasurementModel();
                AddLive(model.SeriesIds, _file.MeasurementSeries(m));
                var (firstKey, keyCount) = _file.MeasurementTagKeys(m);
                for (int k = firstKey; k < firstKey + keyCount; k++)
                {
                    var keyModel = new TagKeyModel();
                    var (firstValue, valueCount) = _file.TagValues(k);
                    for (int v = firstValue; v < firstValue + valueCount; v++)
                    {
                        var ids = new List<uint>();
                        AddLive(ids, _file.TagValueSeries(v));
                        if (ids.Count > 0) keyModel.Values[_file.TagValueName(v).ToArray()] = ids;
                    }
                    if (keyModel.Values.Count > 0) model.TagKeys[_file.TagKeyName(k).ToArray()] = keyModel;
                }
                if (!_droppedMeasurements.Contains(name))
                {
                    var (firstField, fieldCount) = _file.MeasurementFields(m);
                    for (int f = firstField; f < firstField + fieldCount; f++) model.Fields[_file.FieldName(f).ToArray()] = _file.FieldTypeAt(f);
                }
                if (model.SeriesIds.Count > 0 || model.Fields.Count > 0) snapshot.Measurements[name] = model;
            }
        }

        var deltaIds = _deltaKeyById.Keys.ToArray();
        Array.Sort(deltaIds);
        foreach (uint id in deltaIds) snapshot.Series.Add((id, _deltaKeyById[id]));

        foreach (var (name, delta) in _deltaMeasurements)
        {
            if (!snapshot.Measurements.TryGetValue(name, out var model)) model = new MeasurementModel();
            AddLive(model.SeriesIds, delta.SeriesIds);
            foreach (var (key, deltaKey) in delta.TagKeys)
            {
                if (!model.TagKeys.TryGetValue(key, out var keyModel)) keyModel = new TagKeyModel();
                foreach (var (value, deltaIdsOfValue) in deltaKey.Values)
                {
                    if (!keyModel.Values.TryGetValue(value, out var ids)) ids = [];
                    AddLive(ids, deltaIdsOfValue);
                    if (ids.Count > 0) keyModel.Values[value] = ids;
                }
                if (keyModel.Values.Count > 0) model.TagKeys[key] = keyModel;
            }
            foreach (var (field, type) in delta.Fields) model.Fields[field] = type;
            if (model.SeriesIds.Count > 0 || model.Fields.Count > 0) snapshot.Measurements[name] = model;
        }
        return snapshot;
    }
}
