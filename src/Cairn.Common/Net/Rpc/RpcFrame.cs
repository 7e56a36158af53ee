using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;

namespace Cairn.Common.Net.Rpc;

/// <summary>
/// Encodes and decodes frames. Every integer is big-endian.
/// <code>
/// offset  size  field
///      0     4  length of everything after this field (18 + payload), u32
///      4     1  version, 1
///      5     1  kind: 1 request, 2 response
///      6     8  request id, u64; 0 is the connection itself (handshake result, protocol errors)
///     14     2  status, u16 (RpcStatus); 0 in requests
///     16     2  method, u16; a response repeats its request's
///     18     4  deadline in milliseconds, u32; 0 in responses
///     22     n  payload; a non-ok response carries a UTF-8 message
/// </code>
/// </summary>
internal static class RpcFrame
{
    public const byte Version = 1;
    public const int LengthSize = 4;
    public const int HeaderSize = 22;
    /// <summary>The smallest legal value of the length field: a frame with an empty payload.</summary>
    public const int MinLength = HeaderSize - LengthSize;
    public const int DefaultMaxFrameSize = 64 << 20;

    /// <summary>
    /// How both ends read a connection: in 64 KiB buffers, so a shard's points (hundreds of KiB) take a few reads
    /// rather than one per 4 KiB default segment.
    /// </summary>
    public static readonly StreamPipeReaderOptions ReaderOptions = new(bufferSize: 64 << 10, minimumReadSize: 16 << 10, leaveOpen: true);

    /// <summary>The length field a payload needs; compare it with the frame limit before sending.</summary>
    public static long LengthFor(int payloadLength) => (long)MinLength + payloadLength;

    public static void WriteHeader(Span<byte> destination, in RpcFrameHeader header, int payloadLength)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, checked((uint)LengthFor(payloadLength)));
        destination[4] = Version;
        destination[5] = (byte)header.Kind;
        BinaryPrimitives.WriteUInt64BigEndian(destination[6..], header.RequestId);
        BinaryPrimitives.WriteUInt16BigEndian(destination[14..], (ushort)header.Status);
        BinaryPrimitives.WriteUInt16BigEndian(destination[16..], header.Method);
        BinaryPrimitives.WriteUInt32BigEndian(destination[18..], header.DeadlineMilliseconds);
    }

    /// <summary>
    /// Takes one whole frame off the front of <paramref name="buffer"/>. False when more bytes are
    /// needed; throws <see cref="RpcProtocolException"/> as soon as the length or version is
    /// wrong, before the rest of an oversized frame is buffered. The payload aliases the buffer.
    /// </summary>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, int maxFrameSize,
        out RpcFrameHeader header, out ReadOnlySequence<byte> payload)
    {
        header = default;
        payload = default;
        if (buffer.Length < LengthSize) return false;

        Span<byte> fixedFields = stackalloc byte[HeaderSize];
        var available = (int)Math.Min(buffer.Length, HeaderSize);
        buffer.Slice(0, available).CopyTo(fixedFields);
        uint length = BinaryPrimitives.ReadUInt32BigEndian(fixedFields);
        if (length > (uint)maxFrameSize) ThrowTooLarge(length, maxFrameSize);
        if (length < MinLength) ThrowTooSmall(length);
        if (available > 4 && fixedFields[4] != Version) ThrowBadVersion(fixedFields[4]);
        if (buffer.Length < LengthSize + length) return false;

        header = new RpcFrameHeader(
            (RpcFrameKind)fixedFields[5],
            BinaryPrimitives.ReadUInt64BigEndian(fixedFields[6..]),
            (RpcStatus)BinaryPrimitives.ReadUInt16BigEndian(fixedFields[14..]),
            BinaryPrimitives.ReadUInt16BigEndian(fixedFields[16..]),
            BinaryPrimitives.ReadUInt32BigEndian(fixedFields[18..]));
        if (header.Kind is not (RpcFrameKind.Request or RpcFrameKind.Response)) ThrowBadKind(fixedFields[5]);
        payload = buffer.Slice(HeaderSize, length - MinLength);
        buffer = buffer.Slice(LengthSize + length);
        return true;
    }

    private static void ThrowTooLarge(uint length, int maxFrameSize) =>
        throw new RpcProtocolException($"frame of {length} bytes exceeds the limit of {maxFrameSize} bytes");

    private static void ThrowTooSmall(uint length) =>
        throw new RpcProtocolException($"frame of {length} bytes is shorter than its header");

    private static void ThrowBadVersion(byte version) =>
        throw new RpcProtocolException($"unsupported frame version {version} (this node speaks {Version})");

    private static void ThrowBadKind(byte kind) =>
        throw new RpcProtocolException($"unknown frame kind {kind}");
}
