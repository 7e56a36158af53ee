namespace Cairn.Storage.LineProtocol;

/// <summary>
/// The error texts InfluxDB 1.x's <c>/write</c> answers with (400, body <c>{"error":"…"}</c>) when lines
/// fail to parse.
/// </summary>
/// <remarks>
/// models.ParsePointsWithPrecision joins the per-line errors with <c>\n</c>. services/httpd/handler.go
/// serveWrite then answers 400 with that joined text when no line parsed, and, when some did (and were
/// written), 400 with <c>tsdb.PartialWriteError{Reason: joined}</c>, whose Dropped it leaves at 0: InfluxDB
/// reports <c>dropped=0</c> for lines that failed to parse. A storage-side PartialWriteError (field type
/// conflict, …) takes precedence over the parse errors, which are then not reported at all.
/// </remarks>
public static class WriteErrorText
{
    /// <summary><c>unable to parse '&lt;line&gt;': &lt;reason&gt;</c> (models.ParsePointsWithPrecision).</summary>
    public static string LineFailed(ReadOnlySpan<byte> line, string reason)
        => "unable to parse '" + System.Text.Encoding.UTF8.GetString(line) + "': " + reason;

    /// <summary>The per-line errors joined as ParsePointsWithPrecision returns them: one per line, <c>\n</c> between.</summary>
    public static string JoinLineErrors(IEnumerable<string> lineErrors) => string.Join('\n', lineErrors);

    /// <summary>
    /// <c>partial write: &lt;reason&gt; dropped=N</c> (tsdb.PartialWriteError.Error). InfluxDB 1.10+ appends
    /// <c> for database: D</c> and <c> for retention policy: R</c> when the writer set them; the parse-error
    /// path never does.
    /// </summary>
    public static string PartialWrite(string reason, int dropped, string? database = null, string? retentionPolicy = null)
    {
        string message = $"partial write: {reason} dropped={dropped}";
        if (!string.IsNullOrEmpty(database))
        {
            message += " for database: " + database;
        }

        if (!string.IsNullOrEmpty(retentionPolicy))
        {
            message += " for retention policy: " + retentionPolicy;
        }

        return message;
    }

    /// <summary><see cref="PartialWrite(string, int, string?, string?)"/> with the joined line errors as the reason.</summary>
    public static string PartialWrite(IEnumerable<string> lineErrors, int dropped)
        => PartialWrite(JoinLineErrors(lineErrors), dropped);

    /// <summary>
    /// What InfluxDB's /write says about parse errors once the parsed points are written: null when no
    /// line failed; the joined errors when no point parsed; otherwise a partial write with dropped=0.
    /// </summary>
    public static string? ForParseErrors(IReadOnlyCollection<string> lineErrors, int pointsParsed)
    {
        if (lineErrors.Count == 0)
        {
            return null;
        }

        return pointsParsed == 0 ? JoinLineErrors(lineErrors) : PartialWrite(lineErrors, dropped: 0);
    }
}
