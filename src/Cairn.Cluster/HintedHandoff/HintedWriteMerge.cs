using Cairn.Cluster.Write;
using System.Buffers;
using System.Text;

namespace Cairn.Cluster.HintedHandoff;

/// <summary>
/// Merges queued WriteShard requests for one shard into one request (<c>batch-size</c>): the header of the first
/// (shard, database, retention policy), the newest meta index of them all, and their points payloads back to back.
/// A points payload is a run of self-framed point records, so two payloads end to end are one payload of both.
/// </summary>
internal static class HintedWriteMerge
{
    /// <summary>The parts of a queued request that merging needs; <see cref="Payload"/> is a slice of the request.</summary>
    public readonly record struct Parts(string Database, string RetentionPolicy, ulong MetaIndex, ReadOnlyMemory<byte> Payload);

    /// <summary>
    /// Splits <paramref name="request"/> when it is exactly one WriteShard request for <paramref name="shardId"/>;
    /// false for anything else (it is then sent as it is, alone).
    /// </summary>
    public static bool TryParse(ReadOnlyMemory<byte> request, ulong shardId, out Parts parts)
    {
        parts = default;
        try
        {
            var (shard, database, rp, metaIndex, payload) = PointsWriter.DecodeWriteShard(request);
            // The decoded strings re-encode to the same length only when they were valid UTF-8, and the sum covers
            // the whole request only when nothing trails the payload: either way merging could change the request.
            long length = 8L + 4 + Encoding.UTF8.GetByteCount(database) + 4 + Encoding.UTF8.GetByteCount(rp) + 8 + 4 + payload.Length;
            if (shard != shardId || length != request.Length) return false;
            parts = new Parts(database, rp, metaIndex, payload);
            return true;
        }
        catch (Exception e) when (e is InvalidDataException or OverflowException)
        {
            return false;
        }
    }

    /// <summary>True when <paramref name="next"/> may join a request whose first part is <paramref name="first"/>.</summary>
    public static bool CanJoin(in Parts first, in Parts next) =>
        string.Equals(first.Database, next.Database, StringComparison.Ordinal)
        && string.Equals(first.RetentionPolicy, next.RetentionPolicy, StringComparison.Ordinal);

    /// <summary>Bytes of the request merging <paramref name="payloadBytes"/> of payload under <paramref name="first"/>'s header.</summary>
    public static long MergedLength(in Parts first, long payloadBytes) =>
        8L + 4 + Encoding.UTF8.GetByteCount(first.Database) + 4 + Encoding.UTF8.GetByteCount(first.RetentionPolicy) + 8 + 4 + payloadBytes;

    /// <summary>One WriteShard request carrying every part's points, in order.</summary>
    public static byte[] Merge(ulong shardId, IReadOnlyList<Parts> parts)
    {
        int total = 0;
        ulong metaIndex = 0;
        foreach (var part in parts)
        {
            total = checked(total + part.Payload.Length);
            metaIndex = Math.Max(metaIndex, part.MetaIndex);
        }
        byte[] payload = ArrayPool<byte>.Shared.Rent(Math.Max(total, 1));
        try
        {
            int at = 0;
            foreach (var part in parts)
            {
                part.Payload.Span.CopyTo(payload.AsSpan(at));
                at += part.Payload.Length;
            }
            return PointsWriter.EncodeWriteShard(shardId, parts[0].Database, parts[0].RetentionPolicy, metaIndex, payload.AsSpan(0, total));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(payload);
        }
    }
}
