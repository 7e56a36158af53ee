using System.Buffers;
using System.IO.Compression;
using Microsoft.AspNetCore.Http;

namespace Cairn.Http.Write;

/// <summary>A request body read into a pooled buffer; dispose to return it.</summary>
public sealed class PooledBody : IDisposable
{
    private byte[] _buffer;

    internal PooledBody(byte[] buffer, int length)
    {
        _buffer = buffer;
        Length = length;
    }

    public int Length { get; }

    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, Length);

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0) ArrayPool<byte>.Shared.Return(buffer);
    }
}

/// <summary>Reads a write body as InfluxDB does: gzip when <c>Content-Encoding: gzip</c>, at most <c>max-body-size</c> bytes.</summary>
public static class WriteBody
{
    public readonly record struct Failure(int Status, string Message);

    public static async Task<(PooledBody Body, Failure? Error)> ReadAsync(HttpRequest request, long maxBodySize, CancellationToken cancellationToken)
    {
        Stream source = request.Body;
        bool gzip = string.Equals(request.Headers.ContentEncoding.ToString(), "gzip", StringComparison.OrdinalIgnoreCase);
        GZipStream? unzip = gzip ? new GZipStream(source, CompressionMode.Decompress, leaveOpen: true) : null;
        if (unzip is not null) source = unzip;
        long limit = maxBodySize > 0 ? maxBodySize : int.MaxValue - 64;
        int initial = (int)Math.Clamp(request.ContentLength ?? 64 * 1024, 4096, Math.Min(limit + 1, 64L << 20));
        var buffer = ArrayPool<byte>.Shared.Rent(initial);
        int length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }
                int read = await source.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (read == 0) break;
                length += read;
                if (length > limit)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    return (new PooledBody([], 0), new Failure(StatusCodes.Status413RequestEntityTooLarge, "Request Entity Too Large"));
                }
            }
            return (new PooledBody(buffer, length), null);
        }
        catch (InvalidDataException e) when (gzip)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return (new PooledBody([], 0), new Failure(StatusCodes.Status400BadRequest, GzipError(e)));
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
        finally
        {
            if (unzip is not null) await unzip.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Go's gzip reader says "gzip: invalid header" for a body that is not gzip at all.</summary>
    private static string GzipError(InvalidDataException e) =>
        e.Message.Contains("magic", StringComparison.OrdinalIgnoreCase) || e.Message.Contains("header", StringComparison.OrdinalIgnoreCase)
            ? "gzip: invalid header" : "gzip: " + e.Message;
}
