
namespace Cairn.Storage.Index;

// Queries: SHOW MEASUREMENTS / TAG KEYS / TAG VALUES / SERIES / FIELD KEYS and WHERE tag filters. They copy
// out of the mapping under the lock, so nothing they return depends on it.
public sealed partial class SeriesIndex
{
    /// <summary>Measurements with at least one live series, sorted by their UTF-8 bytes.</summary>
    public string[] Measurements()
    {
        lock (_lock)
        {
            var names = new SortedSet<byte[]>(ByteKeyComparer.Instance);
            if (_file is not null)
            {
                for (int m = 0; m < _file.MeasurementCount; m++)
                {
                    if (AnyLive(_file.MeasurementSeries(m))) names.Add(_file.MeasurementName(m).ToArray());
                }
            }
            foreach (var (name, model) in _deltaMeasurements)
            {
                if (AnyLive(model.SeriesIds)) names.Add(name);
            }
            return Strings(names);
        }
    }

    /// <summary>The live series of <paramref name="measurement"/>, ascending.</summary>
    public uint[] SeriesIds(string measurement)
    {
        byte[] name = System.Text.Encoding.UTF8.GetBytes(measurement);
        lock (_lock) return SeriesIdsLocked(name);
    }

    /// <summary>Tag keys of <paramref name="measurement"/> that some live series has, sorted.</summary>
    public string[] TagKeys(string measurement)
    {
        byte[] name = System.Text.Encoding.UTF8.GetBytes(measurement);
        lock (_lock)
        {
            var keys = new SortedSet<byte[]>(ByteKeyComparer.Instance);
            int m = _file?.FindMeasurement(name) ?? -1;
            if (m >= 0)
            {
                var (first, count) = _file!.MeasurementTagKeys(m);
                for (int k = first; k < first + count; k++)
                {
                    if (AnyLiveValue(k)) keys.Add(_file.TagKeyName(k).ToArray());
                }
            }
            if (_deltaMeasurements.TryGetValue(name, out var model))
            {
                foreach (var (key, keyModel) in model.TagKeys)
                {
                    foreach (var ids in keyModel.Values.Values)
                    {
                        if (!AnyLive(ids)) continue;
                        keys.Add(key);
                        break;
                    }
                }
            }
            return Strings(keys);
        }
    }

    /// <summary>Values of <paramref name="tagKey"/> in <paramref name="measurement"/> that some live series has, sorted.</summary>
    public string[] TagValues(string measurement, string tagKey)
    {
        byte[] name = System.Text.Encoding.UTF8.GetBytes(measurement), key = System.Text.Encoding.UTF8.GetBytes(tagKey);
        lock (_lock)
        {
            var values = new SortedSet<byte[]>(ByteKeyComparer.Instance);
            int k = FileTagKey(name, key);
            if (k >= 0)
            {
                var (first, count) = _file!.TagValues(k);
                for (int v = first; v < first + count; v++)
                {
                    if (AnyLive(_file.TagValueSeries(v))) values.Add(_file.TagValueName(v).ToArray());
                }
            }
            if (DeltaTagKey(name, key) is { } keyModel)
            {
                foreach (var (value, ids) in keyModel.Values)
                {
                    if (AnyLive(ids)) values.Add(value);
                }
            }
            return Strings(values);
        }
    }

    /// <summary>The live series of <paramref name="measurement"/> whose <paramref name="tagKey"/> is <paramref name="tagValue"/>, ascending.</summary>
    public uint[] SeriesIdsForTag(string measurement, string tagKey, string tagValue)
    {
        byte[] name = System.Text.Encoding.UTF8.GetBytes(measurement), key = System.Text.Encoding.UTF8.GetBytes(tagKey), value = System.Text.Encoding.UTF8.GetBytes(tagValue);
        lock (_lock)
        {
            var ids = new List<uint>();
            int k = FileTagKey(name, key);
            int v = k < 0 ? -1 : _file!.FindTagValue(k, value);
            if (v >= 0) AddLive(ids, _file!.TagValueSeries(v));
            if (DeltaTagKey(name, key) is { } keyModel && keyModel.Values.TryGetValue(value, out var deltaIds)) AddLive(ids, deltaIds);
            return Sorted(ids);
        }
    }

    /// <summary>The series key of a live series, or null.</summary>
    public byte[]? SeriesKey(uint id)
    {
        lock (_lock)
        {
            if (_deltaKeyById.TryGetValue(id, out var key)) return key.ToArray();
            if (_file is null || !IsLive(id)) return null;
            var mapped = _file.Key(id);
            return mapped.IsEmpty ? null : mapped.ToArray();
        }
    }

    /// <summary>The field keys of <paramref name="measurement"/> and their types, sorted by key.</summary>
    public (string Key, FieldType Type)[] Fields(string measurement)
    {
        byte[] name = System.Text.Encoding.UTF8.GetBytes(measurement);
        lock (_lock)
        {
            var fields = new SortedDictionary<byte[], FieldType>(ByteKeyComparer.Instance);
            int m = _file is null || _droppedMeasurements.Contains(name) ? -1 : _file.FindMeasurement(name);
            if (m >= 0)
            {
                var (first, count) = _file!.MeasurementFields(m);
                for (int f = first; f < first + count; f++) fields[_file.FieldName(f).ToArray()] = _file.FieldTypeAt(f);
            }
            if (_deltaMeasurements.TryGetValue(name, out var model))
            {
                foreach (var (key, type) in model.Fields) fields[key] = type;
            }
            var result = new (string, FieldType)[fields.Count];
            int i = 0;
            foreach (var (key, type) in fields) result[i++] = (System.Text.Encoding.UTF8.GetString(key), type);
            return result;
        }
    }

    private uint[] SeriesIdsLocked(byte[] name)
    {
        var ids = new List<uint>();
        int m = _file?.FindMeasurement(name) ?? -1;
        if (m >= 0) AddLive(ids, _file!.MeasurementSeries(m));
        if (_deltaMeasurements.TryGetValue(name, out var model)) AddLive(ids, model.SeriesIds);
        return Sorted(ids);
    }

    private int FileTagKey(byte[] measurement, byte[] key)
    {
        int m = _file?.FindMeasurement(measurement) ?? -1;
        return m < 0 ? -1 : _file!.FindTagKey(m, key);
    }

    private TagKeyModel? DeltaTagKey(byte[] measurement, byte[] key)
        => _deltaMeasurements.TryGetValue(measurement, out var model) && model.TagKeys.TryGetValue(key, out var keyModel) ? keyModel : null;

    private bool AnyLiveValue(int fileTagKey)
    {
        var (first, count) = _file!.TagValues(fileTagKey);
        for (int v = first; v < first + count; v++)
        {
            if (AnyLive(_file.TagValueSeries(v))) return true;
        }
        return false;
    }

    private bool AnyLive(ReadOnlySpan<uint> ids)
    {
        if (_tombstones.Count == 0) return !ids.IsEmpty;
        foreach (uint id in ids)
        {
            if (!_tombstones.Contains(id)) return true;
        }
        return false;
    }

    private bool AnyLive(List<uint> ids) => AnyLive(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(ids));

    private void AddLive(List<uint> destination, ReadOnlySpan<uint> ids)
    {
        foreach (uint id in ids)
        {
            if (IsLive(id)) destination.Add(id);
        }
    }

    private void AddLive(List<uint> destination, List<uint> ids) => AddLive(destination, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(ids));

    private static uint[] Sorted(List<uint> ids)
    {
        var array = ids.ToArray();
        Array.Sort(array);
        return array;
    }

    private static string[] Strings(SortedSet<byte[]> names)
    {
        var result = new string[names.Count];
        int i = 0;
        foreach (var name in names) result[i++] = System.Text.Encoding.UTF8.GetString(name);
        return result;
    }
}
