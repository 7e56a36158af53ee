namespace Cairn.Query.Results;

/// <summary>
/// What one statement answers: its series, messages, or an error, under the statement's position in the
/// query. The shape of influxdb's <c>query.Result</c>; <see cref="QueryResponseJson"/> writes it.
/// </summary>
/// <remarks>
/// A statement may produce several results with the same <see cref="StatementId"/> (a SELECT emits one per
/// chunk of rows). Unchunked responses merge them with <see cref="QueryResponseBuffer"/>; chunked responses
/// write each as its own JSON object.
/// </remarks>
public sealed class QueryResult
{
    public QueryResult(int statementId) => StatementId = statementId;

    /// <summary>The statement's 0-based position in the query.</summary>
    public int StatementId { get; }

    /// <summary>The series, in output order. Empty writes no <c>series</c> key.</summary>
    public List<ResultSeries> Series { get; } = [];

    /// <summary>Informational messages (for example the read-only warning of a write sent with GET).</summary>
    public List<ResultMessage> Messages { get; } = [];

    /// <summary>True when more results follow for the same statement (chunked output).</summary>
    public bool Partial { get; set; }

    /// <summary>The statement's error text exactly as InfluxDB words it, or null.</summary>
    public string? Error { get; set; }

    /// <summary>A result that carries only <paramref name="error"/>.</summary>
    public static QueryResult Failed(int statementId, string error) => new(statementId) { Error = error };
}

/// <summary>A message attached to a result: <c>{"level":"warning","text":"…"}</c>.</summary>
public sealed record ResultMessage(string Level, string Text)
{
    public const string WarningLevel = "warning";
    public const string InfoLevel = "info";
}
