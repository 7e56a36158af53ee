namespace Cairn.Http.Statements;

/// <summary>
/// The request context a query runs in: the <c>db</c> and <c>rp</c> parameters, and whether it came as a GET
/// (writes still run, with InfluxDB's read-only warning). <see cref="User"/> is the authenticated user when
/// authentication is on (its privileges filter what SHOW DATABASES lists); null means everything is visible.
/// <see cref="ChunkSize"/> is the most rows of one series a SELECT result carries (<c>chunk_size</c>).
/// </summary>
public sealed record ExecutionOptions(string Database = "", string RetentionPolicy = "", bool ReadOnly = false, Cairn.Meta.Store.UserInfo? User = null,
    int ChunkSize = ExecutionOptions.DefaultChunkSize)
{
    /// <summary>httpd's DefaultChunkSize: rows per chunk when <c>chunk_size</c> is absent or not positive.</summary>
    public const int DefaultChunkSize = 10000;
}
