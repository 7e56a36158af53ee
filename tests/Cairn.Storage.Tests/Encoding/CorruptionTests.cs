using Cairn.Storage.Encoding;
using CsCheck;
using static Cairn.Storage.Tests.Encoding.ColumnCodec;

namespace Cairn.Storage.Tests.Encoding;

/// <summary>
/// Columns come from disk, so any byte may be wrong. Whatever the damage, TryDecode returns (true
/// or false) without throwing, Decode throws nothing but <see cref="CorruptBlockException"/>, the two
/// agree, and neither loops forever (every test here finishing is that check).
/// </summary>
public class CorruptionTests
{
    /// <summary>Decodes with both entry points of the column's own type and checks the contract above.</summary>
    private static void DecodeDamaged(byte[] column)
    {
        int count = ColumnHeader.TryRead(column, out ColumnHeader header) ? header.Count : 4;
        ColumnType type = column.Length > 0 ? (ColumnType)(column[0] >> 4) : ColumnType.Integer;
        bool tried;
        try
        {
            tried = TryDecode(type, column, count);
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"TryDecode threw on damaged column {Convert.ToHexString(column)}", e);
        }

        bool decoded;
        try
        {
            Decode(type, column, count);
            decoded = true;
        }
        catch (CorruptBlockException)
        {
            decoded = false;
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"Decode threw {e.GetType().Name} on damaged column {Convert.ToHexString(column)}", e);
        }
        Require(tried == decoded, "TryDecode and Decode agree");
    }

    private static bool TryDecode(ColumnType type, byte[] column, int count) => type switch
    {
        ColumnType.Timestamp => TimestampEncoding.TryDecode(column, new long[count], Workspace, out _),
        ColumnType.Float => FloatEncoding.TryDecode(column, new double[count], Workspace, out _),
        ColumnType.Unsigned => UnsignedEncoding.TryDecode(column, new ulong[count], Workspace, out _),
        ColumnType.Boolean => BooleanEncoding.TryDecode(column, new bool[count], out _),
        ColumnType.String => StringEncoding.TryDecode(column, new List<string>(), Workspace, out _)
            & TryDecodeUtf8(column, count),
        _ => IntegerEncoding.TryDecode(column, new long[count], Workspace, out _),
    };

    private static bool TryDecodeUtf8(byte[] column, int count)
    {
        try
        {
            StringEncoding.DecodeUtf8(column, new int[count], Workspace);
            return true;
        }
        catch (CorruptBlockException)
        {
            return false;
        }
    }

    private static void Decode(ColumnType type, byte[] column, int count)
    {
        switch (type)
        {
            case ColumnType.Timestamp: TimestampEncoding.Decode(column, new long[count], Workspace); break;
            case ColumnType.Float: FloatEncoding.Decode(column, new double[count], Workspace); break;
            case ColumnType.Unsigned: UnsignedEncoding.Decode(column, new ulong[count], Workspace); break;
            case ColumnType.Boolean: BooleanEncoding.Decode(column, new bool[count]); break;
            case ColumnType.String: StringEncoding.Decode(column, new List<string>(), Workspace); break;
            default: IntegerEncoding.Decode(column, new long[count], Workspace); break;
        }
    }

    /// <summary>
    /// One column for every encoding byte value, each from data that makes the encoder pick it
    /// (TUnit calls each function to get a test's argument).
    /// </summary>
    public static IEnumerable<Func<byte[]>> OneColumnPerEncoding() =>
    [
        () => Timestamps([long.MinValue, long.MaxValue, 0, 5]),
        () => Timestamps(Samples.Regular(1000)),
        () => Timestamps(Samples.Jittered(60)),
        () => Timestamps(Samples.RegularWithGaps(1000)),
        () => Timestamps(Samples.Irregular(1000)),
        () => Floats(Samples.RandomBits(50)),
        () => Floats(Samples.FloatWalk(1000)),
        () => Floats(Samples.DecimalWalk(1000)),
        () => Integers(Samples.RandomLongs(50)),
        () => Integers(Enumerable.Repeat(42L, 1000).ToArray()),
        () => Integers(Samples.SmallWalk(60)),
        () => Integers(Samples.Repeating(1000)),
        () => Integers(Samples.TsbsCpu(1000, seed: 1)),
        () => Unsigned(Array.ConvertAll(Samples.RandomLongs(50), v => (ulong)v)),
        () => Unsigned(Enumerable.Repeat(ulong.MaxValue, 1000).ToArray()),
        () => Unsigned(Array.ConvertAll(Samples.SmallWalk(60), v => (ulong)v)),
        () => Unsigned(Array.ConvertAll(Samples.Repeating(1000), v => (ulong)v)),
        () => Unsigned(Array.ConvertAll(Samples.TsbsCpu(1000, seed: 2), v => (ulong)v)),
        () => Booleans(Enumerable.Range(0, 1000).Select(i => i % 3 == 0).ToArray()),
        () => Booleans(Enumerable.Repeat(true, 1000).ToArray()),
        () => Strings(["ok", ""]),
        () => Strings(Enumerable.Range(0, 300).Select(i => "status " + (i % 4)).ToArray()),
    ];

    [Test]
    public async Task OneColumnPerEncoding_CoversEveryEncodingByte()
    {
        ColumnEncoding[] produced = OneColumnPerEncoding().Select(make => EncodingOf(make())).ToArray();
        await Assert.That(produced).IsEquivalentTo(Enum.GetValues<ColumnEncoding>());
    }

    [Test]
    [MethodDataSource(nameof(OneColumnPerEncoding))]
    public void Decode_EveryTruncation_FailsCleanly(byte[] column)
    {
        for (int length = 0; length < column.Length; length++)
        {
            byte[] truncated = column[..length];
            DecodeDamaged(truncated);
        }
    }

    [Test]
    [MethodDataSource(nameof(OneColumnPerEncoding))]
    public void Decode_EverySingleBitFlip_FailsCleanlyOrDecodes(byte[] column)
    {
        for (int bit = 0; bit < column.Length * 8; bit++)
        {
            byte[] flipped = (byte[])column.Clone();
            flipped[bit >> 3] ^= (byte)(1 << (bit & 7));
            DecodeDamaged(flipped);
        }
    }

    [Test]
    [MethodDataSource(nameof(OneColumnPerEncoding))]
    public async Task Decode_TrailingByte_IsCorrupt(byte[] valid)
    {
        byte[] column = [.. valid, 0];
        int count = ColumnHeader.Read(column).Count;
        await Assert.That(TryDecode((ColumnType)(column[0] >> 4), column, count)).IsFalse();
    }

    [Test]
    public void Decode_RandomDamageToAnyColumn_FailsCleanlyOrDecodes()
    {
        Gen<byte[]> columns = Gen.OneOf(
            Generators.TimestampSeries.Select(v => Timestamps(v)),
            Generators.AnyLongs.Select(v => Integers(v)),
            Generators.AnyLongs.Select(v => Unsigned(Array.ConvertAll(v, x => (ulong)x))),
            Generators.Doubles.Select(v => Floats(v)),
            Generators.Booleans.Select(v => Booleans(v)),
            Generators.Strings.Select(v => Strings(v)));

        Gen.Select(columns, Gen.Int).Sample((column, seed) =>
        {
            var random = new Random(seed);
            for (int attempt = 0; attempt < 20; attempt++)
                DecodeDamaged(Damage(column, random));
        }, iter: 1000);
    }

    [Test]
    public void Decode_RandomBytesAfterAValidEncodingByte_FailsCleanlyOrDecodes()
    {
        Gen.Select(Gen.OneOf(Enum.GetValues<ColumnEncoding>()), Gen.Byte.Array[0, 300]).Sample((encoding, rest) =>
            DecodeDamaged([(byte)encoding, .. rest]), iter: 20_000);
    }

    private static byte[] Damage(byte[] column, Random random)
    {
        byte[] damaged = (byte[])column.Clone();
        switch (random.Next(5))
        {
            case 0:
                return damaged[..random.Next(damaged.Length)];
            case 1:
                if (damaged.Length > 0)
                {
                    for (int flips = random.Next(1, 4); flips > 0; flips--)
                        damaged[random.Next(damaged.Length)] ^= (byte)(1 << random.Next(8));
                }
                return damaged;
            case 2:
                if (damaged.Length > 0)
                    damaged[random.Next(damaged.Length)] = (byte)random.Next(256);
                return damaged;
            case 3:
                var extra = new byte[random.Next(1, 9)];
                random.NextBytes(extra);
                return [.. damaged, .. extra];
            default:
                // Keep the header, scramble a stretch of the payload.
                if (damaged.Length > 3)
                {
                    int start = random.Next(2, damaged.Length);
                    random.NextBytes(damaged.AsSpan(start, random.Next(1, Math.Min(16, damaged.Length - start) + 1)));
                }
                return damaged;
        }
    }
}
