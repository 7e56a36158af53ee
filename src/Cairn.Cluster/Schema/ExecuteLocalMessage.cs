namespace Cairn.Cluster.Schema;

/// <summary>
/// The payloads of <see cref="ClusterMethod.ExecuteLocal"/>: a delete or drop the coordinator fans out, to run on the
/// receiver's own shards only (the receiver does not fan out again).
/// </summary>
/// <remarks>
/// Request:
/// <code>
/// | u8     | version (1)                                                  |
/// | string | statement text (InfluxQL, one statement)                     |
/// | string | database (the db parameter of the coordinator's request)     |
/// | i64    | now (Unix ns): the coordinator's now() for time conditions   |
/// </code>
/// Response: <c>u8 version (1), string error</c> ("" when the statement succeeded).
/// </remarks>
public static class ExecuteLocalMessage
{
    private const byte Version = 1;

    public static ReadOnlyMemory<byte> Request(string statement, string database, long now) =>
        new WireWriter(32 + statement.Length + database.Length).U8(Version).String(statement).String(database).I64(now).Written;

    public static (string Statement, string Database, long Now) ReadRequest(ReadOnlyMemory<byte> payload)
    {
        var reader = new WireReader(payload);
        CheckVersion(reader.U8());
        return (reader.String(), reader.String(), reader.I64());
    }

    public static ReadOnlyMemory<byte> Response(string? error) => new WireWriter(8 + (error?.Length ?? 0)).U8(Version).String(error ?? "").Written;

    /// <summary>The receiver's error, or null when the statement succeeded there.</summary>
    public static string? ReadResponse(ReadOnlyMemory<byte> payload)
    {
        var reader = new WireReader(payload);
        CheckVersion(reader.U8());
        string error = reader.String();
        return error.Length == 0 ? null : error;
    }

    private static void CheckVersion(byte version)
    {
        if (version != Version) throw new InvalidDataException("execute-local message: unknown version " + version);
    }
}
