using System.Buffers;
using Cairn.Common.Net.Rpc;
using CsCheck;

namespace Cairn.Common.Tests.Rpc;

public class RpcFrameTests
{
    private static byte[] Encode(RpcFrameHeader header, byte[] payload)
    {
        var frame = new byte[RpcFrame.HeaderSize + payload.Length];
        RpcFrame.WriteHeader(frame, header, payload.Length);
        payload.CopyTo(frame, RpcFrame.HeaderSize);
        return frame;
    }

    /// <summary>A sequence over <paramref name="bytes"/> cut into segments at <paramref name="cuts"/>.</summary>
    private static ReadOnlySequence<byte> Segmented(byte[] bytes, int[] cuts)
    {
        var points = cuts.Select(c => Math.Min(c, bytes.Length)).Append(0).Append(bytes.Length).Distinct().Order().ToArray();
        if (points.Length <= 2) return new ReadOnlySequence<byte>(bytes);
        Segment first = new(bytes.AsMemory(points[0], points[1] - points[0]), 0), last = first;
        for (int i = 1; i < points.Length - 1; i++) last = last.Append(bytes.AsMemory(points[i], points[i + 1] - points[i]));
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }

    [Test]
    public async Task WriteHeader_Request_LaysOutFieldsBigEndian()
    {
        var frame = Encode(RpcFrameHeader.Request(0x0102030405060708, 0x0A0B, 0x11223344), [0xEE, 0xFF]);
        byte[] expected =
        [
            0, 0, 0, 20,                    // length: 18 + 2
            1,                              // version
            1,                              // kind: request
            1, 2, 3, 4, 5, 6, 7, 8,         // request id
            0, 0,                           // status
            0x0A, 0x0B,                     // method
            0x11, 0x22, 0x33, 0x44,         // deadline ms
            0xEE, 0xFF,                     // payload
        ];
        await Assert.That(frame.SequenceEqual(expected)).IsTrue();
    }

    [Test]
    public void TryRead_FramesSplitAnywhere_RoundTripsEveryField()
    {
        var gen = Gen.Select(Gen.Select(Gen.ULong, Gen.UShort, Gen.UShort, Gen.UInt, Gen.Byte.Array[0, 300]), Gen.Int[0, 400].Array[0, 6], Gen.Bool);
        gen.Sample((fields, cuts, response) =>
        {
            var (id, status, method, deadline, payload) = fields;
            var header = new RpcFrameHeader(response ? RpcFrameKind.Response : RpcFrameKind.Request, id, (RpcStatus)status, method, deadline);
            var bytes = Encode(header, payload).Concat(Encode(header, [])).ToArray();
            var buffer = Segmented(bytes, cuts);
            if (!RpcFrame.TryRead(ref buffer, RpcFrame.DefaultMaxFrameSize, out var first, out var firstPayload)) return false;
            var firstBytes = firstPayload.ToArray();
            if (!RpcFrame.TryRead(ref buffer, RpcFrame.DefaultMaxFrameSize, out var second, out var secondPayload)) return false;
            return first == header && firstBytes.SequenceEqual(payload) && second == header && secondPayload.IsEmpty && buffer.IsEmpty;
        }, iter: 2000);
    }

    [Test]
    public void TryRead_AnyTruncation_AsksForMoreAndConsumesNothing()
    {
        Gen.Select(Gen.Byte.Array[0, 100], Gen.Int[0, 121]).Sample((payload, cut) =>
        {
            var bytes = Encode(RpcFrameHeader.Response(7, 3, RpcStatus.Internal), payload);
            if (cut >= bytes.Length) return true;
            var buffer = new ReadOnlySequence<byte>(bytes, 0, cut);
            return !RpcFrame.TryRead(ref buffer, RpcFrame.DefaultMaxFrameSize, out _, out _) && buffer.Length == cut;
        }, iter: 1000);
    }

    [Test]
    public async Task TryRead_LengthOverLimit_ThrowsBeforeThePayloadArrives()
    {
        // Only the 4-byte length of a 1 MiB frame: refused without waiting for the rest.
        var buffer = new ReadOnlySequence<byte>(new byte[] { 0, 0x10, 0, 0 });
        var error = await Rpc.Catch<RpcProtocolException>(() =>
        {
            RpcFrame.TryRead(ref buffer, 1024, out _, out _);
            return Task.CompletedTask;
        });
        await Assert.That(error.Message).Contains("exceeds the limit of 1024 bytes");
    }

    [Test]
    public async Task TryRead_LengthShorterThanHeader_Throws()
    {
        var bytes = Encode(RpcFrameHeader.Request(1, 1, 1), []);
        bytes[3] = RpcFrame.MinLength - 1;
        var buffer = new ReadOnlySequence<byte>(bytes);
        var error = await Rpc.Catch<RpcProtocolException>(() =>
        {
            RpcFrame.TryRead(ref buffer, RpcFrame.DefaultMaxFrameSize, out _, out _);
            return Task.CompletedTask;
        });
        await Assert.That(error.Message).Contains("shorter than its header");
    }

    [Test]
    public async Task TryRead_UnknownVersion_Throws()
    {
        var bytes = Encode(RpcFrameHeader.Request(1, 1, 1), []);
        bytes[4] = 2;
        var buffer = new ReadOnlySequence<byte>(bytes);
        var error = await Rpc.Catch<RpcProtocolException>(() =>
        {
            RpcFrame.TryRead(ref buffer, RpcFrame.DefaultMaxFrameSize, out _, out _);
            return Task.CompletedTask;
        });
        await Assert.That(error.Message).Contains("unsupported frame version 2");
    }

    [Test]
    public async Task Prove_SameInputs_Verifies_AndAnyDifferenceFails()
    {
        var nonce = RpcHandshake.NewNonce();
        var proof = RpcHandshake.Prove("secret", nonce, 2);
        await Assert.That(RpcHandshake.Verify("secret", nonce, 2, proof)).IsTrue();
        await Assert.That(RpcHandshake.Verify("secreT", nonce, 2, proof)).IsFalse();
        await Assert.That(RpcHandshake.Verify("secret", nonce, 1, proof)).IsFalse();
        await Assert.That(RpcHandshake.Verify("secret", RpcHandshake.NewNonce(), 2, proof)).IsFalse();
        await Assert.That(RpcHandshake.Verify("", nonce, 2, RpcHandshake.Prove("", nonce, 2))).IsTrue();
    }
}
