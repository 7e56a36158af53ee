namespace Cairn.Query.Results;

/// <summary>
/// Collects the results of an unchunked response the way InfluxDB's HTTP handler buffers them: a result for
/// the same statement as the previous one is merged into it (rows of the same series appended, the rest of
/// its series added after), and an error replaces what the statement had so far.
/// </summary>
public sealed class QueryResponseBuffer
{
    private readonly List<QueryResult> _results = [];

    /// <summary>The merged results, in statement order.</summary>
    public IReadOnlyList<QueryResult> Results => _results;

    public void Add(QueryResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (_results.Count == 0 || _results[^1].StatementId != result.StatementId)
        {
            _results.Add(result);
            return;
        }
        if (result.Error is not null)
        {
            _results[^1] = result;
            return;
        }

        var current = _results[^1];
        int merged = 0;
        if (current.Series.Count > 0)
        {
            var last = current.Series[^1];
            foreach (var series in result.Series)
            {
                if (!last.SameSeries(series)) break;
                last.Values.AddRange(series.Values);
                last.Partial = series.Partial;
                merged++;
            }
        }
        for (int i = merged; i < result.Series.Count; i++) current.Series.Add(result.Series[i]);
        current.Messages.AddRange(result.Messages);
        current.Partial = result.Partial;
    }
}
