using System.Diagnostics.CodeAnalysis;
using Cairn.Query.Ast;
using Cairn.Query.Engine;
using Cairn.Query.Results;

namespace Cairn.Http.Statements;

public sealed partial class StatementExecutor
{
    /// <summary>Runs a SELECT through the query engine over this node's shards.</summary>
    private string? Select(SelectStatement statement, ExecutionOptions options, QueryResult result)
    {
        var state = _meta.Current;
        var context = new SelectContext(Resolve, Now());
        return SelectEngine.Execute(statement, context, result);

        bool Resolve(string database, string retentionPolicy, out IReadOnlyList<IShardReader> shards, [NotNullWhen(false)] out string? error)
        {
            shards = [];
            if (!TryDatabase(state, database, options, out var db, out error)) return false;
            if (!TryPolicy(db, retentionPolicy, options, out string rp, out error)) return false;
            var list = new List<IShardReader>();
            foreach (var shard in _shards.Shards(db.Name, rp)) list.Add(new ShardViewReader(shard));
            shards = list;
            return true;
        }
    }
}
