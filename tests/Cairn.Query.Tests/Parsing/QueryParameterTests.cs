using Cairn.Query.Ast;
using Cairn.Query.Parsing;
using static Cairn.Query.Tests.Parsing.A;

namespace Cairn.Query.Tests.Parsing;

public class QueryParameterTests
{
    private static Dictionary<string, object?> P(params (string Name, object? Value)[] values)
    {
        var map = new Dictionary<string, object?>();
        foreach (var (name, value) in values) map[name] = value;
        return map;
    }

    private static Dictionary<string, object?> Typed(string kind, object? value) => new() { [kind] = value };

    [Test]
    public async Task Parse_IdentifierParameters_Substitute()
    {
        var statement = InfluxQLParser.ParseStatement("CREATE DATABASE $db", P(("db", Typed("identifier", "mydb"))));
        await Assert.That(statement).IsEqualTo(new CreateDatabaseStatement { Name = "mydb" });

        var select = InfluxQLParser.ParseStatement("SELECT count($value) FROM $m",
            P(("value", Typed("identifier", "my_value")), ("m", Typed("ident", "my_measurement"))));
        await Assert.That(select).IsEqualTo(Select(Fields(Fn("count", V("my_value"))), M("my_measurement")));
    }

    [Test]
    public async Task Parse_IntegerParameters_PlainAndTyped_Substitute()
    {
        var plain = InfluxQLParser.ParseStatement("SELECT * FROM $m LIMIT $limit", P(("m", Typed("identifier", "shapes")), ("limit", 10L)));
        var typed = InfluxQLParser.ParseStatement("SELECT * FROM $m LIMIT $limit",
            P(("m", Typed("identifier", "shapes")), ("limit", Typed("integer", new RawJsonNumber("10")))));
        var expected = Select(Fields(new Wildcard()), M("shapes")) with { Limit = 10 };
        await Assert.That(plain).IsEqualTo(expected);
        await Assert.That(typed).IsEqualTo(expected);
    }

    [Test]
    public async Task Parse_LiteralParameters_BecomeLiterals()
    {
        var statement = (SelectStatement)InfluxQLParser.ParseStatement(
            "SELECT v FROM m WHERE host = $host AND v > $f AND w < $whole AND b = $b AND n = $n AND re =~ $re AND time > now() - $d AND t > now() - $dn",
            P(("host", "server01"), ("f", 1.5), ("whole", 2.0), ("b", true), ("n", -3L), ("re", Typed("regex", "^a/b$")),
              ("d", Typed("duration", "1h")), ("dn", Typed("duration", new RawJsonNumber("60000000000")))));
        var expected = Bin(BinaryOperator.And,
            Bin(BinaryOperator.And,
                Bin(BinaryOperator.And,
                    Bin(BinaryOperator.And,
                        Bin(BinaryOperator.And,
                            Bin(BinaryOperator.And,
                                Bin(BinaryOperator.And,
                                    Eq(V("host"), S("server01")),
                                    Bin(BinaryOperator.Gt, V("v"), N(1.5))),
                                Bin(BinaryOperator.Lt, V("w"), N(2.0))),
                            Eq(V("b"), B(true))),
                        Eq(V("n"), I(-3))),
                    Bin(BinaryOperator.EqRegex, V("re"), Re("^a/b$"))),
                Bin(BinaryOperator.Gt, V("time"), Bin(BinaryOperator.Sub, Fn("now"), D(Hour)))),
            Bin(BinaryOperator.Gt, V("t"), Bin(BinaryOperator.Sub, Fn("now"), D(Minute))));
        await Assert.That(statement.Condition).IsEqualTo(expected);
    }

    [Test]
    public async Task Parse_RegexParameter_WorksAsSourceAndField()
    {
        var statement = InfluxQLParser.ParseStatement("SELECT $f FROM $src", P(("f", Typed("regex", "val.*")), ("src", Typed("regex", "cpu|mem"))));
        await Assert.That(statement).IsEqualTo(Select(Fields(Re("val.*")), MRe("cpu|mem")));
    }

    [Test]
    [Arguments("SELECT * FROM cpu WHERE host = $missing", "missing parameter: missing")]
    [Arguments("SELECT * FROM cpu WHERE host = $nil", "missing parameter: unable to bind parameter with type <nil>")]
    [Arguments("SELECT * FROM cpu WHERE host = $two", "missing parameter: bound object parameter value must have exactly one entry")]
    [Arguments("SELECT * FROM cpu WHERE host = $badkind", "missing parameter: unknown bind object type: color")]
    [Arguments("SELECT * FROM cpu WHERE host = $badint", "missing parameter: integer literal must be an integer value")]
    [Arguments("SELECT * FROM cpu WHERE host = $bigint", "missing parameter: strconv.ParseInt: parsing \"99999999999999999999\": value out of range")]
    [Arguments("SELECT * FROM $nil", "found unable to bind parameter with type <nil>, expected identifier at line 1, char 15")]
    [Arguments("SELECT * FROM cpu LIMIT $neg", "LIMIT must be >= 0 at line 1, char 25")]
    [Arguments("SELECT * FROM cpu WHERE time > now() - $baddur", "invalid duration")]
    [Arguments("SELECT * FROM $emptystr", "found STRING, expected identifier at line 1, char 15")]
    public async Task Parse_BadParameters_FailAsInfluxql(string text, string error)
    {
        var parameters = P(
            ("nil", null),
            ("two", new Dictionary<string, object?> { ["string"] = "a", ["integer"] = 1L }),
            ("badkind", Typed("color", "red")),
            ("badint", Typed("integer", new RawJsonNumber("1.5"))),
            ("bigint", Typed("integer", new RawJsonNumber("99999999999999999999"))),
            ("neg", -1L),
            ("baddur", Typed("duration", "soon")),
            ("emptystr", Typed("string", "")));
        await Assert.That(InfluxQLParser.TryParse(text, parameters, out _, out var parseError)).IsFalse();
        await Assert.That(parseError!.Text).IsEqualTo(error);
    }

    [Test]
    public async Task TryParseJson_Object_DecodesAsInfluxHandler()
    {
        bool ok = QueryParameters.TryParseJson(
            """{"host": "a", "n": 5, "f": 1.5, "b": true, "nothing": null, "typed": {"integer": 10}, "list": [1]} trailing""",
            out var parameters, out var error);
        await Assert.That(error).IsNull();
        await Assert.That(ok).IsTrue();
        await Assert.That(parameters["host"]).IsEqualTo("a");
        await Assert.That(parameters["n"]).IsEqualTo(5L);
        await Assert.That(parameters["f"]).IsEqualTo(1.5);
        await Assert.That((bool)parameters["b"]!).IsTrue();
        await Assert.That(parameters["nothing"]).IsNull();
        var typed = (IReadOnlyDictionary<string, object?>)parameters["typed"]!;
        await Assert.That(typed["integer"]).IsEqualTo(new RawJsonNumber("10"));

        var statement = InfluxQLParser.ParseStatement("SELECT * FROM cpu WHERE host = $host LIMIT $typed", parameters);
        await Assert.That(statement.ToString()).IsEqualTo("SELECT * FROM cpu WHERE host = 'a' LIMIT 10");
    }

    [Test]
    [Arguments("{\"n\": 1e5}", "error parsing json value: strconv.ParseInt: parsing \"1e5\": invalid syntax")]
    [Arguments("{\"n\": 99999999999999999999}", "error parsing json value: strconv.ParseInt: parsing \"99999999999999999999\": value out of range")]
    [Arguments("[1, 2]", "error parsing query parameters: json: cannot unmarshal array into Go value of type map[string]interface {}")]
    [Arguments("\"text\"", "error parsing query parameters: json: cannot unmarshal string into Go value of type map[string]interface {}")]
    [Arguments("   ", "error parsing query parameters: EOF")]
    public async Task TryParseJson_Malformed_FailsWithInfluxMessage(string json, string error)
    {
        await Assert.That(QueryParameters.TryParseJson(json, out _, out var message)).IsFalse();
        await Assert.That(message).IsEqualTo(error);
    }

    [Test]
    public async Task TryParseJson_NotJson_Fails()
    {
        await Assert.That(QueryParameters.TryParseJson("{not json", out _, out var message)).IsFalse();
        await Assert.That(message).StartsWith("error parsing query parameters: ");
    }

    [Test]
    public async Task TryParseJson_Null_IsNoParameters()
    {
        await Assert.That(QueryParameters.TryParseJson("null", out var parameters, out _)).IsTrue();
        await Assert.That(parameters.Count).IsEqualTo(0);
    }
}
