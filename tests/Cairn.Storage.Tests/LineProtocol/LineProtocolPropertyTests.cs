using System.Text;
using Cairn.Storage.LineProtocol;
using CsCheck;

namespace Cairn.Storage.Tests.LineProtocol;

public class LineProtocolPropertyTests
{
    // Every byte with a meaning somewhere in a line, plus a tab, a NUL and multi-byte UTF-8.
    private const string NameAlphabet = "abcxyzAZ09_-.:/=\",# \t\\{}'\0é中";
    private const string StringAlphabet = "ab \"\\,=\n\t{}é中#";

    private static readonly Gen<string> Name = Gen.Char[NameAlphabet].Array[1, 8].Select(chars => new string(chars));

    private static readonly Gen<string> MeasurementName = Name.Where(n => LineProtocolWriter.IsRepresentable(n, isMeasurement: true));

    private static readonly Gen<string> TagText = Name.Where(n => LineProtocolWriter.IsRepresentable(n, isMeasurement: false));

    private static readonly Gen<string> FieldKey =
        Name.Where(n => LineProtocolWriter.IsRepresentable(n, isMeasurement: false, isFirstFieldKey: true));

    private static readonly Gen<(FieldType Type, object Value)> FieldValue = Gen.Frequency(
        (3, Gen.Long.Select(BitConverter.Int64BitsToDouble).Where(double.IsFinite).Select(d => (FieldType.Float, (object)d))),
        (2, Gen.Double[-1e6, 1e6].Select(d => (FieldType.Float, (object)Math.Round(d, 3)))),
        (3, Gen.Long.Select(l => (FieldType.Integer, (object)l))),
        (2, Gen.ULong.Select(u => (FieldType.Unsigned, (object)u))),
        (2, Gen.OneOf("t", "T", "true", "True", "TRUE", "f", "F", "false", "False", "FALSE").Select(b => (FieldType.Boolean, (object)b))),
        (3, Gen.Char[StringAlphabet].Array[0, 10].Select(chars => (FieldType.String, (object)new string(chars)))));

    private static readonly Gen<Precision> AnyPrecision = Gen.Int[0, 5].Select(p => (Precision)p);

    private static Gen<PointModel> PointIn(Precision precision)
    {
        long unit = precision.Multiplier();
        Gen<long?> timestamp = Gen.Frequency(
            (1, Gen.Const((long?)null)),
            (3, Gen.Long[LineProtocolParser.MinNanoTime / unit, LineProtocolParser.MaxNanoTime / unit].Select(t => (long?)t)));
        return Gen.Select(
            MeasurementName,
            Gen.Select(TagText, TagText).Array[0, 6],
            Gen.Select(FieldKey, FieldValue).Array[1, 6],
            timestamp,
            (measurement, tags, fields, time) => new PointModel(
                measurement,
                tags.DistinctBy(t => t.Item1).ToList(),
                fields.DistinctBy(f => f.Item1).Select(f => (f.Item1, f.Item2.Type, f.Item2.Value)).ToList(),
                time));
    }

    private static readonly Gen<(Precision Precision, PointModel[] Points, string Body)> Body =
        AnyPrecision.SelectMany(precision => Gen.Select(
            PointIn(precision).Array[1, 5],
            Gen.OneOf("\n", "\r\n", "\n\n", "\n# comment x=\"a\"\n", "\n \t \n").Array[5],
            Gen.OneOf(" ", "  ", " \t").Array[5],
            (points, endings, separators) =>
            {
                var body = new StringBuilder();
                for (int i = 0; i < points.Length; i++)
                {
                    body.Append(LineProtocolWriter.Line(points[i], separators[i])).Append(endings[i]);
                }

                return (precision, points, body.ToString());
            }));

    [Test]
    public void Parse_WrittenPoints_RoundTrip()
    {
        Body.Sample(sample =>
        {
            Lp.Result result = Lp.Parse(sample.Body, sample.Precision, allowUnsigned: true);
            if (result.Errors.Count != 0 || result.Points.Count != sample.Points.Length)
            {
                throw new InvalidOperationException($"body {Lp.Show(sample.Body)} gave:\n{result.Render()}");
            }

            for (int i = 0; i < sample.Points.Length; i++)
            {
                string expected = Expected(sample.Points[i], sample.Precision);
                string actual = Lp.Render(result.Points[i]);
                if (expected != actual)
                {
                    throw new InvalidOperationException($"body {Lp.Show(sample.Body)}\nexpected {expected}\nactual   {actual}");
                }
            }
        }, iter: 3000);
    }

    [Test]
    public void Parse_MutatedBodies_NeverThrowAndPathsAgree()
    {
        Gen.Select(Body, Gen.Select(Gen.Int[0, 2], Gen.Double.Unit, Gen.Byte).Array[1, 8])
            .Sample(sample =>
            {
                var bytes = new List<byte>(System.Text.Encoding.UTF8.GetBytes(sample.Item1.Body));
                foreach ((int kind, double where, byte value) in sample.Item2)
                {
                    int at = (int)(where * bytes.Count);
                    if (kind == 0 || bytes.Count == 0)
                    {
                        bytes.Insert(at, value);
                    }
                    else if (kind == 1)
                    {
                        bytes.RemoveAt(Math.Min(at, bytes.Count - 1));
                    }
                    else
                    {
                        bytes[Math.Min(at, bytes.Count - 1)] = value;
                    }
                }

                CheckErrorsAreWellFormed(Lp.Parse(bytes.ToArray(), sample.Item1.Precision, allowUnsigned: true));
            }, iter: 5000);
    }

    [Test]
    public void Parse_RandomBytes_NeverThrowAndPathsAgree()
    {
        Gen.Byte.Array[0, 120].Sample(bytes => CheckErrorsAreWellFormed(Lp.Parse(bytes)), iter: 5000);
    }

    [Test]
    public void Parse_RandomNearlyPlainLines_BothPathsAgree()
    {
        // Lines without backslashes go through the fast path when they are well formed; this alphabet keeps
        // most of them close to well formed, so both paths get compared where they meet.
        Gen<string> token = Gen.OneOf("cpu", "a", "b", "x=y", "1", "1i", "-1i", "1u", "1.5", "-.5", "1e5", "1E+5", "t", "FALSE",
            "9223372036854775808i", "18446744073709551616u", "NaN", "1e400", "-", ".", "", " ", "\t", "#", "=", ",", "123", "-9223372036854775806",
            "\"s\"", "\"a b,c=d\"", "\"\"", "\"", "\"x\ny\"", "\"q\"r");
        Gen<string> line = Gen.Select(token.Array[1, 4], token.Array[0, 4], token.Array[0, 4], token.Array[0, 3], Gen.Int[0, 3],
            (measurement, tags, fields, time, shape) =>
            {
                var text = new StringBuilder(string.Concat(measurement));
                for (int i = 0; i + 1 < tags.Length; i += 2)
                {
                    text.Append(',').Append(tags[i]).Append('=').Append(tags[i + 1]);
                }

                text.Append(' ');
                for (int i = 0; i + 1 < fields.Length; i += 2)
                {
                    text.Append(i == 0 ? "" : ",").Append(fields[i]).Append('=').Append(fields[i + 1]);
                }

                return shape == 0 ? text.ToString() : text.Append(' ').Append(string.Concat(time)).ToString();
            });

        line.Array[1, 4].Sample(lines =>
        {
            CheckErrorsAreWellFormed(Lp.Parse(string.Join("\n", lines), allowUnsigned: false));
            CheckErrorsAreWellFormed(Lp.Parse(string.Join("\n", lines), Precision.Second, allowUnsigned: true));
        }, iter: 10000);
    }

    private static void CheckErrorsAreWellFormed(Lp.Result result)
    {
        foreach (string error in result.Errors)
        {
            if (!error.StartsWith("unable to parse '", StringComparison.Ordinal) || error.EndsWith(": ", StringComparison.Ordinal))
            {
                throw new InvalidOperationException("malformed error: " + error);
            }
        }
    }

    private static string Expected(PointModel model, Precision precision)
    {
        var tags = LineProtocolWriter.SortedTags(model).Select(t => new KeyValuePair<string, string>(t.Key, t.Value)).ToList();
        var fields = model.Fields.Select(f => new Field(f.Key, f.Type, f.Type switch
        {
            FieldType.Boolean => ((string)f.Value)[0] is 't' or 'T',
            _ => f.Value,
        })).ToList();
        long timestamp = model.Timestamp is long t ? t * precision.Multiplier() : precision.Truncate(Lp.Now);
        return Lp.Render(new Point
        {
            Measurement = model.Measurement,
            SeriesKey = LineProtocolWriter.SeriesKey(model),
            Tags = tags,
            Fields = fields,
            Timestamp = timestamp,
        });
    }
}
