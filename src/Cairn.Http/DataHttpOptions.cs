namespace Cairn.Http;

/// <summary>The <c>[http]</c> settings the data API applies per request.</summary>
public sealed class DataHttpOptions
{
    /// <summary><c>max-body-size</c>: bytes a write body may have, after gzip decoding (0: no limit).</summary>
    public long MaxBodySize { get; init; } = 25_000_000;
}
