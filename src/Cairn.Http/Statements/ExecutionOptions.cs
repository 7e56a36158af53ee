namespace Cairn.Http.Statements;

/// <summary>
/// The request context a query runs in: the <c>db</c> and <c>rp</c> parameters, and whether it came as a GET
/// (writes still run, with InfluxDB's read-only warning).
/// </summary>
public sealed record ExecutionOptions(string Database = "", string RetentionPolicy = "", bool ReadOnly = false);
