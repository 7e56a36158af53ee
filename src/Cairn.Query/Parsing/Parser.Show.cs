using Cairn.Query.Ast;

namespace Cairn.Query.Parsing;

internal sealed partial class Parser
{
    /// <summary>SHOW …, dispatched as influxql's parse tree (whose key order the error lists follow).</summary>
    private Statement ParseShowStatement()
    {
        var l = ScanIgnoreWhitespace();
        switch (l.Token)
        {
            case Token.Continuous:
                ExpectKeywords(Token.Queries);
                return new ShowContinuousQueriesStatement();
            case Token.Databases:
                return new ShowDatabasesStatement();
            case Token.Diagnostics:
                return new ShowDiagnosticsStatement(ParseOptionalModule());
            case Token.Field:
            {
                var next = ScanIgnoreWhitespace();
                return next.Token switch
                {
                    Token.Key => ParseShowKeyCardinality(CardinalityKind.FieldKey),
                    Token.Keys => ParseShowFieldKeysStatement(),
                    _ => throw Expected(next, "KEY", "KEYS"),
                };
            }
            case Token.Grants:
                ExpectKeywords(Token.For);
                return new ShowGrantsForUserStatement(ParseIdent());
            case Token.Measurement:
            {
                var next = ScanIgnoreWhitespace();
                return next.Token switch
                {
                    Token.Exact => ParseShowCardinality(CardinalityKind.Measurement, exact: true, requireCardinality: true),
                    Token.Cardinality => ParseShowCardinality(CardinalityKind.Measurement, exact: false, requireCardinality: false),
                    _ => throw Expected(next, "EXACT", "CARDINALITY"),
                };
            }
            case Token.Measurements:
                return ParseShowMeasurementsStatement();
            case Token.Queries:
                return new ShowQueriesStatement();
            case Token.Retention:
                ExpectKeywords(Token.Policies);
                return ParseShowRetentionPoliciesStatement();
            case Token.Series:
                return ParseShowSeriesStatement();
            case Token.Shard:
                ExpectKeywords(Token.Groups);
                return new ShowShardGroupsStatement();
            case Token.Shards:
                return new ShowShardsStatement();
            case Token.Stats:
                return new ShowStatsStatement(ParseOptionalModule());
            case Token.Subscriptions:
                return new ShowSubscriptionsStatement();
            case Token.Tag:
            {
                var next = ScanIgnoreWhitespace();
                return next.Token switch
                {
                    Token.Key => ParseShowKeyCardinality(CardinalityKind.TagKey),
                    Token.Keys => ParseShowTagKeysStatement(),
                    Token.Values => ParseShowTagValuesStatement(),
                    _ => throw Expected(next, "KEY", "KEYS", "VALUES"),
                };
            }
            case Token.Users:
                return new ShowUsersStatement();
            default:
                throw Expected(l, "CONTINUOUS", "DATABASES", "DIAGNOSTICS", "FIELD", "GRANTS", "MEASUREMENT", "MEASUREMENTS",
                    "QUERIES", "RETENTION", "SERIES", "SHARD", "SHARDS", "STATS", "SUBSCRIPTIONS", "TAG", "USERS");
        }
    }

    /// <summary><c>FOR 'module'</c> of SHOW STATS / SHOW DIAGNOSTICS, or "".</summary>
    private string ParseOptionalModule()
    {
        if (ScanIgnoreWhitespace().Token == Token.For) return ParseString();
        Unscan();
        return "";
    }

    private string ParseOptionalOn()
    {
        if (ScanIgnoreWhitespace().Token == Token.On) return ParseIdent();
        Unscan();
        return "";
    }

    private NodeList<Source>? ParseOptionalFrom()
    {
        if (ScanIgnoreWhitespace().Token == Token.From) return ParseSources(subqueries: false);
        Unscan();
        return null;
    }

    private ShowRetentionPoliciesStatement ParseShowRetentionPoliciesStatement() => new(ParseOptionalOn());

    private Statement ParseShowSeriesStatement()
    {
        bool exact = false;
        if (ScanIgnoreWhitespace().Token == Token.Exact) exact = true;
        else Unscan();

        if (ScanIgnoreWhitespace().Token == Token.Cardinality) return ParseShowCardinality(CardinalityKind.Series, exact, requireCardinality: false);
        // influxql drops a lone EXACT: "SHOW SERIES EXACT" is SHOW SERIES.
        Unscan();

        string database = ParseOptionalOn();
        var sources = ParseOptionalFrom();
        var condition = ParseCondition();
        var sortFields = ParseOrderBy();
        long limit = ParseOptionalTokenAndInt(Token.Limit);
        long offset = ParseOptionalTokenAndInt(Token.Offset);
        return new ShowSeriesStatement
        {
            Database = database,
            Sources = sources,
            Condition = condition,
            SortFields = sortFields,
            Limit = limit,
            Offset = offset,
        };
    }

    /// <summary>SHOW TAG KEY / SHOW FIELD KEY: <c>[EXACT] CARDINALITY</c> must follow.</summary>
    private ShowCardinalityStatement ParseShowKeyCardinality(CardinalityKind kind)
    {
        bool exact = false;
        if (ScanIgnoreWhitespace().Token == Token.Exact) exact = true;
        else Unscan();

        var l = ScanIgnoreWhitespace();
        if (l.Token != Token.Cardinality)
        {
            throw exact ? Expected(l, "CARDINALITY") : Expected(l, "EXACT", "CARDINALITY");
        }
        return ParseShowCardinality(kind, exact, requireCardinality: false);
    }

    private ShowCardinalityStatement ParseShowCardinality(CardinalityKind kind, bool exact, bool requireCardinality)
    {
        if (requireCardinality) ExpectKeywords(Token.Cardinality);

        string database = ParseOptionalOn();
        var sources = ParseOptionalFrom();
        var condition = ParseCondition();
        var dimensions = ParseDimensions();
        long limit = ParseOptionalTokenAndInt(Token.Limit);
        long offset = ParseOptionalTokenAndInt(Token.Offset);
        return new ShowCardinalityStatement
        {
            Kind = kind,
            Exact = exact,
            Database = database,
            Sources = sources,
            Condition = condition,
            Dimensions = dimensions,
            Limit = limit,
            Offset = offset,
        };
    }

    private ShowMeasurementsStatement ParseShowMeasurementsStatement()
    {
        string database = "", retentionPolicy = "";
        bool wildcardDatabase = false, wildcardRetentionPolicy = false;

        if (ScanIgnoreWhitespace().Token == Token.On)
        {
            var db = ScanIgnoreWhitespace();
            if (db.Token == Token.Ident) database = db.Literal;
            else if (db.Token == Token.Mul) wildcardDatabase = true;
            else throw Expected(db, "identifier or *");

            if (ScanIgnoreWhitespace().Token == Token.Dot)
            {
                var rp = ScanIgnoreWhitespace();
                if (rp.Token == Token.Ident) retentionPolicy = rp.Literal;
                else if (rp.Token == Token.Mul) wildcardRetentionPolicy = true;
                else throw Expected(rp, "identifier or *");
            }
            else
            {
                Unscan();
            }
        }
        else
        {
            Unscan();
        }

        Source? source = null;
        if (ScanIgnoreWhitespace().Token == Token.With)
        {
            ExpectKeywords(Token.Measurement);
            var op = ScanIgnoreWhitespace();
            if (op.Token is not (Token.Eq or Token.EqRegex)) throw Expected(op, "=", "=~");
            source = ParseSource(subqueries: false);
        }
        else
        {
            Unscan();
        }

        var condition = ParseCondition();
        var sortFields = ParseOrderBy();
        long limit = ParseOptionalTokenAndInt(Token.Limit);
        long offset = ParseOptionalTokenAndInt(Token.Offset);
        return new ShowMeasurementsStatement
        {
            Database = database,
            RetentionPolicy = retentionPolicy,
            WildcardDatabase = wildcardDatabase,
            WildcardRetentionPolicy = wildcardRetentionPolicy,
            Source = source,
            Condition = condition,
            SortFields = sortFields,
            Limit = limit,
            Offset = offset,
        };
    }

    private ShowTagKeysStatement ParseShowTagKeysStatement()
    {
        string database = ParseOptionalOn();
        var sources = ParseOptionalFrom();

        BinaryOperator? tagKeyOp = null;
        Literal? tagKeyExpr = null;
        var with = ScanIgnoreWhitespace();
        Unscan();
        if (with.Token == Token.With) (tagKeyOp, tagKeyExpr) = ParseTagKeyExpr();

        var condition = ParseCondition();
        var sortFields = ParseOrderBy();
        long limit = ParseOptionalTokenAndInt(Token.Limit);
        long offset = ParseOptionalTokenAndInt(Token.Offset);
        long slimit = ParseOptionalTokenAndInt(Token.SLimit);
        long soffset = ParseOptionalTokenAndInt(Token.SOffset);
        return new ShowTagKeysStatement
        {
            Database = database,
            Sources = sources,
            TagKeyOp = tagKeyOp,
            TagKeyExpr = tagKeyExpr,
            Condition = condition,
            SortFields = sortFields,
            Limit = limit,
            Offset = offset,
            SLimit = slimit,
            SOffset = soffset,
        };
    }

    private Statement ParseShowTagValuesStatement()
    {
        var l = ScanIgnoreWhitespace();
        if (l.Token == Token.Exact) return ParseShowTagValuesCardinalityStatement(exact: true);
        if (l.Token == Token.Cardinality) return ParseShowTagValuesCardinalityStatement(exact: false);
        Unscan();

        string database = ParseOptionalOn();
        var sources = ParseOptionalFrom();
        var (op, tagKeyExpr) = ParseTagKeyExpr();
        var condition = ParseCondition();
        var sortFields = ParseOrderBy();
        long limit = ParseOptionalTokenAndInt(Token.Limit);
        long offset = ParseOptionalTokenAndInt(Token.Offset);
        return new ShowTagValuesStatement
        {
            Database = database,
            Sources = sources,
            Op = op,
            TagKeyExpr = tagKeyExpr,
            Condition = condition,
            SortFields = sortFields,
            Limit = limit,
            Offset = offset,
        };
    }

    private ShowTagValuesCardinalityStatement ParseShowTagValuesCardinalityStatement(bool exact)
    {
        if (exact) ExpectKeywords(Token.Cardinality);

        string database = ParseOptionalOn();
        var sources = ParseOptionalFrom();
        var (op, tagKeyExpr) = ParseTagKeyExpr();
        var condition = ParseCondition();
        var dimensions = ParseDimensions();
        long limit = ParseOptionalTokenAndInt(Token.Limit);
        long offset = ParseOptionalTokenAndInt(Token.Offset);
        return new ShowTagValuesCardinalityStatement
        {
            Exact = exact,
            Database = database,
            Sources = sources,
            Op = op,
            TagKeyExpr = tagKeyExpr,
            Condition = condition,
            Dimensions = dimensions,
            Limit = limit,
            Offset = offset,
        };
    }

    /// <summary><c>WITH KEY = k | != k | =~ /re/ | !~ /re/ | IN (k1, k2)</c>.</summary>
    private (BinaryOperator, Literal) ParseTagKeyExpr()
    {
        ExpectKeywords(Token.With, Token.Key);

        var l = ScanIgnoreWhitespace();
        switch (l.Token)
        {
            case Token.In:
            {
                var open = ScanIgnoreWhitespace();
                if (open.Token != Token.LParen) throw Expected(open, "(");
                var keys = ParseIdentList();
                var close = ScanIgnoreWhitespace();
                if (close.Token != Token.RParen) throw Expected(close, ")");
                return (BinaryOperator.In, new ListLiteral(NodeList.From(keys)));
            }
            case Token.Eq:
            case Token.Neq:
                return (l.Token.ToBinaryOperator(), new StringLiteral(ParseIdent()));
            case Token.EqRegex:
            case Token.NeqRegex:
            {
                var regex = ParseRegex() ?? throw Expected(ScanIgnoreWhitespace(), "regex");
                return (l.Token.ToBinaryOperator(), regex);
            }
            default:
                throw Expected(l, "IN", "=", "=~");
        }
    }

    private ShowFieldKeysStatement ParseShowFieldKeysStatement()
    {
        string database = "";
        if (ScanIgnoreWhitespace().Token == Token.On)
        {
            // influxql ignores a malformed database name here (the token is consumed, the error dropped).
            var db = ScanIgnoreWhitespace();
            if (db.Token == Token.Ident) database = db.Literal;
        }
        else
        {
            Unscan();
        }

        var sources = ParseOptionalFrom();
        var sortFields = ParseOrderBy();
        long limit = ParseOptionalTokenAndInt(Token.Limit);
        long offset = ParseOptionalTokenAndInt(Token.Offset);
        return new ShowFieldKeysStatement
        {
            Database = database,
            Sources = sources,
            SortFields = sortFields,
            Limit = limit,
            Offset = offset,
        };
    }
}
