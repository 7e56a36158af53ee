using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Cairn.Storage;
using Cairn.Storage.Engine;

namespace Cairn.Query.Engine;

/// <summary>
/// A shard that folds its series' values into per-window partial states where it lives, so a query elsewhere
/// receives one state per series and window instead of the values (a remote shard of a cluster).
/// </summary>
public interface IPartialShardReader : IShardReader
{
    /// <summary>The partials of the request's series in this shard, in the request's order.</summary>
    Task<ShardPartials> PartialsAsync(ShardPartialsRequest request, CancellationToken cancellationToken);
}

/// <summary>
/// Which partials a shard computes: some series of one field in [MinTime, MaxTime], windowed as the statement
/// windows (<see cref="QueryWindows"/>), keeping the parts <see cref="Needs"/> names, with the time-ordered sum per
/// window when <see cref="Level"/> (mean and float sums, InfluxDB's reduce levels), and taking stored blocks as
/// their counts when <see cref="CountsOnly"/>.
/// </summary>
/// <remarks>
/// Encoded as
/// <code>
/// ver u8 (1) | type u8 | needs u8 | flags u8 (1 level, 2 counts only) | min i64 | max i64 | interval i64 | offset i64
/// | location string | field string | series count u32 | series keys (u32 length, bytes)…
/// </code>
/// </remarks>
public sealed record ShardPartialsRequest(IReadOnlyList<byte[]> SeriesKeys, string Field, FieldType Type, long MinTime, long MaxTime,
    long Interval, long Offset, string? Location, PartialNeeds Needs, bool Level, bool CountsOnly)
{
    private const byte Version = 1;

    public void Write(PartialsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.U8(Version).U8((byte)Type).U8((byte)Needs).U8((byte)((Level ? 1 : 0) | (CountsOnly ? 2 : 0)));
        writer.I64(MinTime).I64(MaxTime).I64(Interval).I64(Offset).String(Location ?? "").String(Field);
        writer.U32((uint)SeriesKeys.Count);
        foreach (var key in SeriesKeys) writer.Bytes(key);
    }

    /// <summary>Reads a request <see cref="Write"/> wrote; a malformed one throws <see cref="InvalidDataException"/>.</summary>
    public static ShardPartialsRequest Read(ref PartialsReader reader)
    {
        if (reader.U8() != Version) throw new InvalidDataException("unknown shard partials request version");
        var type = (FieldType)reader.U8();
        var needs = (PartialNeeds)reader.U8();
        byte flags = reader.U8();
        long min = reader.I64(), max = reader.I64(), interval = reader.I64(), offset = reader.I64();
        string location = reader.String(), field = reader.String();
        uint count = reader.U32();
        if (count > reader.Remaining / 4) throw new InvalidDataException("shard partials request truncated");
        var keys = new byte[count][];
        for (int i = 0; i < keys.Length; i++) keys[i] = reader.Bytes().ToArray();
        return new ShardPartialsRequest(keys, field, type, min, max, interval, offset, location.Length == 0 ? null : location, needs,
            (flags & 1) != 0, (flags & 2) != 0);
    }
}

/// <summary>One series' partial state in one window of a shard, and the time-ordered sum of its values there when leveled.</summary>
internal readonly record struct WindowPartial(long Window, FieldPartial State, double LevelSum);

/// <summary>One series' partials in a shard: its first time there, its value count, and its windows ascending.</summary>
internal sealed class SeriesPartials
{
    public long FirstTime = long.MaxValue;
    public long Values;
    public readonly List<WindowPartial> Windows = [];
}

/// <summary>
/// The answer to a <see cref="ShardPartialsRequest"/>: per series of the request (same order), its partials in the
/// shard, or none. Computed by <see cref="Compute"/> on the node holding the shard with the same folding as the
/// planner's partials path, so merging these states equals folding the values.
/// </summary>
/// <remarks>
/// Encoded as
/// <code>
/// ver u8 (1) | type u8 | needs u8 | level u8 | series count u32 | per series: windows u32 (0 = no values), and when
/// not 0: first time i64, values i64, per window: window i64, [level sum f64], state (FieldPartial.Write)
/// </code>
/// </remarks>
public sealed class ShardPartials
{
    private const byte Version = 1;
    private readonly SeriesPartials?[] _series;
    private readonly FieldType _type;
    private readonly PartialNeeds _needs;
    private readonly bool _level;

    private ShardPartials(SeriesPartials?[] series, FieldType type, PartialNeeds needs, bool level)
    {
        _series = series;
        _type = type;
        _needs = needs;
        _level = level;
    }

    public int Count => _series.Length;

    /// <summary>The partials of the request's series <paramref name="index"/>, or null when it has no values.</summary>
    internal SeriesPartials? Series(int index) => _series[index];

    /// <summary>The answer to a request for <paramref name="first"/>'s series followed by <paramref name="second"/>'s (the same field and calls).</summary>
    public static ShardPartials Concat(ShardPartials first, ShardPartials second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (first._type != second._type || first._needs != second._needs || first._level != second._level)
            throw new InvalidDataException("shard partials of different requests cannot be joined");
        return new ShardPartials([.. first._series, .. second._series], first._type, first._needs, first._level);
    }

    /// <summary>Folds the request's series of <paramref name="shard"/> as the planner's partials path folds them.</summary>
    public static ShardPartials Compute(IShardReader shard, ShardPartialsRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(shard);
        ArgumentNullException.ThrowIfNull(request);
        var windows = new QueryWindows(request.Interval, request.Offset, request.Location);
        var result = new SeriesPartials?[request.SeriesKeys.Count];
        SeriesPartials current = null!;
        FieldType expected = request.Type;
        long window = long.MinValue;
        FieldPartial state = default;
        double levelSum = 0;

        void Close()
        {
            if (state.Count == 0) return;
            current.Windows.Add(new WindowPartial(window, state, levelSum));
            (state, levelSum) = (default, 0);
        }

        void Enter(long w)
        {
            if (state.Count > 0 && w != window) Close();
            window = w;
        }

        ShardValueSink sink = (type, times, bits, texts) =>
        {
            if (type != expected || times.IsEmpty) return;
            if (times[0] < current.FirstTime) current.FirstTime = times[0];
            current.Values += times.Length;
            bool strings = type == FieldType.String;
            for (int i = 0; i < times.Length;)
            {
                long w = 0;
                int end = times.Length;
                if (windows.Interval > 0)
                {
                    (w, long windowEnd) = windows.Bounds(times[i]);
                    end = times[i..].BinarySearch(windowEnd);
                    end = i + (end < 0 ? ~end : end);
                }
                Enter(w);
                var b = strings ? default : bits[i..end];
                state.AddRange(request.Needs, type, times[i..end], b, strings ? texts[i..end] : default);
                if (request.Level) levelSum = LevelAdd(levelSum, type, b);
                i = end;
            }
        };
        ShardBlockCountSink? wholeBlocks = !request.CountsOnly ? null : (type, min, max, count) =>
        {
            if (type != expected || min < request.MinTime || max > request.MaxTime) return false;
            long w = 0;
            if (windows.Interval > 0)
            {
                (w, long windowEnd) = windows.Bounds(min);
                if (max >= windowEnd) return false;
            }
            if (count == 0) return true;
            if (min < current.FirstTime) current.FirstTime = min;
            current.Values += count;
            Enter(w);
            state.Count += count;
            return true;
        };
        for (int i = 0; i < result.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            current = new SeriesPartials();
            (window, state, levelSum) = (long.MinValue, default, 0);
            shard.Scan(request.SeriesKeys[i], request.Field, request.MinTime, request.MaxTime, sink, wholeBlocks);
            Close();
            if (current.Windows.Count > 0) result[i] = current;
        }
        return new ShardPartials(result, request.Type, request.Needs, request.Level);
    }

    /// <summary>A window's sum as LevelRun adds it: one value after another, in time order, as a double.</summary>
    internal static double LevelAdd(double sum, FieldType type, ReadOnlySpan<long> bits)
    {
        switch (type)
        {
            case FieldType.Float:
                foreach (double d in System.Runtime.InteropServices.MemoryMarshal.Cast<long, double>(bits)) sum += d;
                break;
            case FieldType.Unsigned:
                foreach (long l in bits) sum += (ulong)l;
                break;
            default:
                foreach (long l in bits) sum += l;
                break;
        }
        return sum;
    }

    public void Write(PartialsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.U8(Version).U8((byte)_type).U8((byte)_needs).U8(_level ? (byte)1 : (byte)0).U32((uint)_series.Length);
        foreach (var s in _series)
        {
            if (s is null)
            {
                writer.U32(0);
                continue;
            }
            writer.U32((uint)s.Windows.Count).I64(s.FirstTime).I64(s.Values);
            foreach (var w in s.Windows)
            {
                writer.I64(w.Window);
                if (_level) writer.F64(w.LevelSum);
                w.State.Write(writer, _needs, _type);
            }
        }
    }

    /// <summary>Reads partials <see cref="Write"/> wrote; a malformed payload throws <see cref="InvalidDataException"/>.</summary>
    public static ShardPartials Read(ref PartialsReader reader)
    {
        if (reader.U8() != Version) throw new InvalidDataException("unknown shard partials version");
        var type = (FieldType)reader.U8();
        var needs = (PartialNeeds)reader.U8();
        bool level = reader.U8() != 0;
        uint count = reader.U32();
        if (count > reader.Remaining / 4) throw new InvalidDataException("shard partials truncated");
        var series = new SeriesPartials?[count];
        for (int i = 0; i < series.Length; i++)
        {
            uint windows = reader.U32();
            if (windows == 0) continue;
            if (windows > reader.Remaining / 16) throw new InvalidDataException("shard partials truncated");
            var s = new SeriesPartials { FirstTime = reader.I64(), Values = reader.I64() };
            for (uint w = 0; w < windows; w++)
            {
                long window = reader.I64();
                double sum = level ? reader.F64() : 0;
                s.Windows.Add(new WindowPartial(window, FieldPartial.Read(ref reader, needs, type), sum));
            }
            series[i] = s;
        }
        return new ShardPartials(series, type, needs, level);
    }
}

/// <summary>Writes the little-endian payloads of shard partials (the cluster's wire conventions, docs/rpc.md).</summary>
public sealed class PartialsWriter(IBufferWriter<byte> output)
{
    public PartialsWriter U8(byte value)
    {
        output.GetSpan(1)[0] = value;
        output.Advance(1);
        return this;
    }

    public PartialsWriter U32(uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(output.GetSpan(4), value);
        output.Advance(4);
        return this;
    }

    public PartialsWriter I64(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(output.GetSpan(8), value);
        output.Advance(8);
        return this;
    }

    public PartialsWriter F64(double value) => I64(BitConverter.DoubleToInt64Bits(value));

    public PartialsWriter Bytes(ReadOnlySpan<byte> value)
    {
        U32((uint)value.Length);
        value.CopyTo(output.GetSpan(value.Length));
        output.Advance(value.Length);
        return this;
    }

    public PartialsWriter String(string value) => Bytes(Encoding.UTF8.GetBytes(value));
}

/// <summary>Reads what <see cref="PartialsWriter"/> wrote; a short payload throws <see cref="InvalidDataException"/>.</summary>
public ref struct PartialsReader(ReadOnlySpan<byte> payload)
{
    private readonly ReadOnlySpan<byte> _payload = payload;
    private int _at;

    public readonly int Remaining => _payload.Length - _at;

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || count > _payload.Length - _at) throw new InvalidDataException("shard partials truncated");
        var span = _payload.Slice(_at, count);
        _at += count;
        return span;
    }

    public byte U8() => Take(1)[0];

    public uint U32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    public long I64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    public double F64() => BitConverter.Int64BitsToDouble(I64());

    public ReadOnlySpan<byte> Bytes() => Take(checked((int)U32()));

    public string String() => Encoding.UTF8.GetString(Bytes());
}
