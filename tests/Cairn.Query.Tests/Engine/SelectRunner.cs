using System.Text;
using Cairn.Query.Ast;
using Cairn.Query.Engine;
using Cairn.Query.Parsing;
using Cairn.Query.Results;

namespace Cairn.Query.Tests.Engine;

/// <summary>Runs one SELECT over the given shards (for every source) and answers its JSON, as /query would write it.</summary>
internal static class SelectRunner
{
    public static string Run(string query, IReadOnlyList<IShardReader> shardList, long now, SelectLimits? limits = null)
    {
        var stmt = (SelectStatement)InfluxQLParser.ParseStatement(query);
        var result = new QueryResult(0);
        var context = new SelectContext((string db, string rp, out IReadOnlyList<IShardReader> shards, out string? error) =>
        {
            shards = shardList;
            error = null;
            return true;
        }, now) { Limits = limits ?? SelectLimits.None };
        if (SelectEngine.Execute(stmt, context, result) is { } failure) result.Error = failure;
        return Encoding.UTF8.GetString(QueryResponseJson.ToBytes([result])).TrimEnd('\n');
    }
}
