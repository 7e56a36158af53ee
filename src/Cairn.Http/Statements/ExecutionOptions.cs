namespace Cairn.Http.Statements;

/// <summary>
/// The request context a query runs in: the <c>db</c> and <c>rp</c> parameters, and whether it came as a GET
/// (writes still run, with InfluxDB's read-only warning). <see cref="User"/> is the authenticated user when
/// authentication is on (its privileges filter what SHOW DATABASES lists); null means everything is visible.
/// </summary>
public sealed record ExecutionOptions(string Database = "", string RetentionPolicy = "", bool ReadOnly = false, Cairn.Meta.Store.UserInfo? User = null);
