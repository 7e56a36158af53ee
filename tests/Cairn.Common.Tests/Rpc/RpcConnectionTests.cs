using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Cairn.Common.Net.Rpc;

namespace Cairn.Common.Tests.Rpc;

public class RpcConnectionTests
{
    private const ushort Echo = 1;
    private const ushort EchoAfterDelay = 2;      // payload: u16 delay in ms, then anything
    private const ushort SleepIgnoringToken = 3;  // 3 s, deaf to cancellation
    private const ushort Throw = 4;
    private const ushort WaitForCancellation = 5;

    /// <summary>The methods every test server answers; <paramref name="cancelled"/> hears when method 5's token fires.</summary>
    private static RpcHandler Methods(TaskCompletionSource? started = null, TaskCompletionSource? cancelled = null) =>
        async (method, payload, token) =>
        {
            switch (method)
            {
                case Echo:
                    return RpcReply.Ok(payload);
                case EchoAfterDelay:
                    await Task.Delay(BinaryPrimitives.ReadUInt16BigEndian(payload.Span), token);
                    return RpcReply.Ok(payload);
                case SleepIgnoringToken:
                    started?.TrySetResult();
                    await Task.Delay(TimeSpan.FromSeconds(3), CancellationToken.None);
                    return RpcReply.Ok(payload);
                case Throw:
                    throw new InvalidOperationException("the handler broke");
                case WaitForCancellation:
                    started?.TrySetResult();
                    try
                    {
                        await Task.Delay(Timeout.Infinite, token);
                    }
                    catch (OperationCanceledException)
                    {
                        cancelled?.TrySetResult();
                        throw;
                    }
                    return RpcReply.Ok(payload);
                default:
                    return RpcReply.UnknownMethod(method);
            }
        };

    [Test]
    public async Task CallAsync_Echo_ReturnsThePayloadByteForByte()
    {
        await using var server = RpcTestServer.Start(Methods());
        await using var connection = await server.ConnectAsync();
        var big = new byte[1 << 20];
        new Random(5).NextBytes(big);

        var small = await connection.CallAsync(Echo, "hello"u8.ToArray(), Rpc.Deadline, CancellationToken.None);
        var empty = await connection.CallAsync(Echo, ReadOnlyMemory<byte>.Empty, Rpc.Deadline, CancellationToken.None);
        var large = await connection.CallAsync(Echo, big, Rpc.Deadline, CancellationToken.None);

        await Assert.That(Encoding.UTF8.GetString(small)).IsEqualTo("hello");
        await Assert.That(empty.Length).IsEqualTo(0);
        await Assert.That(large.SequenceEqual(big)).IsTrue();
        await Assert.That(server.Statistics.ConnectionsAccepted).IsEqualTo(1);
        await Assert.That(server.Statistics.Requests).IsEqualTo(3);
        await Assert.That(connection.BytesSent).IsEqualTo(3 * RpcFrame.HeaderSize + 5 + big.Length);
        await Assert.That(connection.BytesReceived).IsEqualTo(3 * RpcFrame.HeaderSize + 5 + big.Length);
    }

    [Test]
    public async Task CallAsync_ManyConcurrentCallsOnOneConnection_EachGetsItsOwnAnswer()
    {
        await using var server = RpcTestServer.Start(Methods());
        await using var connection = await server.ConnectAsync();
        var random = new Random(11);
        const int calls = 400;
        var payloads = new byte[calls][];
        for (int i = 0; i < calls; i++)
        {
            // Random delays make the answers come back out of order.
            payloads[i] = new byte[2 + 4 + random.Next(0, 64)];
            BinaryPrimitives.WriteUInt16BigEndian(payloads[i], (ushort)random.Next(0, 30));
            BinaryPrimitives.WriteInt32BigEndian(payloads[i].AsSpan(2), i);
            random.NextBytes(payloads[i].AsSpan(6));
        }

        var answers = await Task.WhenAll(payloads.Select(p =>
            Task.Run(() => connection.CallAsync(EchoAfterDelay, p, Rpc.Deadline, CancellationToken.None))));

        for (int i = 0; i < calls; i++)
        {
            await Assert.That(answers[i].SequenceEqual(payloads[i])).IsTrue();
        }
        await Assert.That(server.Statistics.ConnectionsAccepted).IsEqualTo(1);
        await Assert.That(server.Statistics.Requests).IsEqualTo(calls);
    }

    [Test]
    public async Task CallAsync_MoreCallsThanTheServerBound_RunsAtMostTheBoundAtOnce()
    {
        int running = 0, most = 0;
        RpcHandler counting = async (method, payload, token) =>
        {
            int now = Interlocked.Increment(ref running);
            int seen;
            while ((seen = Volatile.Read(ref most)) < now && Interlocked.CompareExchange(ref most, now, seen) != seen) { }
            await Task.Delay(100, token);
            Interlocked.Decrement(ref running);
            return RpcReply.Ok(payload);
        };
        await using var server = RpcTestServer.Start(counting,
            new RpcServiceOptions { InternalSharedSecret = RpcTestServer.Secret, MaxConcurrentRequestsPerConnection = 2 });
        await using var connection = await server.ConnectAsync();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            connection.CallAsync(Echo, new[] { (byte)i }, Rpc.Deadline, CancellationToken.None)));

        await Assert.That(most).IsEqualTo(2);
        await Assert.That(server.Statistics.Requests).IsEqualTo(8);
    }

    [Test]
    public async Task CallAsync_HandlerSlowerThanDeadline_ThrowsDeadlineExceededAndTheConnectionLives()
    {
        await using var server = RpcTestServer.Start(Methods());
        await using var connection = await server.ConnectAsync();
        var clock = Stopwatch.StartNew();

        var error = await Rpc.Catch<RpcException>(() =>
            connection.CallAsync(SleepIgnoringToken, "x"u8.ToArray(), TimeSpan.FromMilliseconds(200), CancellationToken.None));

        await Assert.That(error.Status).IsEqualTo(RpcStatus.DeadlineExceeded);
        await Assert.That(clock.Elapsed).IsLessThan(TimeSpan.FromSeconds(2));
        await Assert.That(await Rpc.EventuallyAsync(() => server.Statistics.DeadlinesExceeded == 1)).IsTrue();
        // The connection survives a missed deadline.
        var echo = await connection.CallAsync(Echo, "still here"u8.ToArray(), Rpc.Deadline, CancellationToken.None);
        await Assert.That(Encoding.UTF8.GetString(echo)).IsEqualTo("still here");
    }

    [Test]
    public async Task Server_HandlerPastTheFrameDeadline_AnswersDeadlineExceededAndCancelsTheHandlerToken()
    {
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = RpcTestServer.Start(Methods(cancelled: cancelled));
        var (peer, handshake) = await RawRpcPeer.ConnectAsync(server.EndPoint, RpcTestServer.Service, RpcTestServer.Secret);
        await using var _ = peer;
        await Assert.That(handshake).IsEqualTo(RpcStatus.Ok);

        // A raw client has no timer of its own: whatever comes back is the server's doing.
        await peer.WriteFrameAsync(RpcFrameHeader.Request(7, WaitForCancellation, 150), []);
        await peer.WriteFrameAsync(RpcFrameHeader.Request(8, SleepIgnoringToken, 150), []);
        var clock = Stopwatch.StartNew();
        var first = await peer.ReadFrameAsync();
        var second = await peer.ReadFrameAsync();

        await Assert.That(first).IsNotNull();
        await Assert.That(second).IsNotNull();
        var answers = new[] { first!.Value, second!.Value }.OrderBy(a => a.Header.RequestId).ToArray();
        await Assert.That(answers[0].Header).IsEqualTo(RpcFrameHeader.Response(7, WaitForCancellation, RpcStatus.DeadlineExceeded));
        await Assert.That(answers[1].Header).IsEqualTo(RpcFrameHeader.Response(8, SleepIgnoringToken, RpcStatus.DeadlineExceeded));
        await Assert.That(Encoding.UTF8.GetString(answers[0].Payload)).Contains("deadline of 150 ms");
        // The deaf handler sleeps 3 s, but its answer did not wait for it.
        await Assert.That(clock.Elapsed).IsLessThan(TimeSpan.FromSeconds(2));
        await cancelled.Task.WaitAsync(Rpc.Deadline);
        await Assert.That(server.Statistics.DeadlinesExceeded).IsEqualTo(2);
    }

    [Test]
    public async Task Server_RequestWithoutDeadline_AnswersBadRequest()
    {
        await using var server = RpcTestServer.Start(Methods());
        var (peer, _) = await RawRpcPeer.ConnectAsync(server.EndPoint, RpcTestServer.Service, RpcTestServer.Secret);
        await using var __ = peer;

        await peer.WriteFrameAsync(RpcFrameHeader.Request(3, Echo, 0), [1]);
        var answer = await peer.ReadFrameAsync();

        await Assert.That(answer!.Value.Header.Status).IsEqualTo(RpcStatus.BadRequest);
        await Assert.That(Encoding.UTF8.GetString(answer.Value.Payload)).Contains("no deadline");
    }

    [Test]
    public async Task ConnectAsync_WrongSecret_ClientSeesSecretsDifferAndServerCountsTheRefusal()
    {
        await using var server = RpcTestServer.Start(Methods());

        var error = await Rpc.Catch<RpcAuthenticationException>(() => server.ConnectAsync(secret: "not-the-secret"));

        await Assert.That(error.Status).IsEqualTo(RpcStatus.Unauthorized);
        await Assert.That(error.Message).Contains("internal shared secrets differ");
        await Assert.That(error.Message).Contains(server.EndPoint.ToString());
        await Assert.That(server.Statistics.HandshakesRefused).IsEqualTo(1);
        await Assert.That(server.Statistics.ConnectionsAccepted).IsEqualTo(0);
        await Assert.That(server.Statistics.Requests).IsEqualTo(0);
    }

    [Test]
    public async Task Server_WrongProof_AnswersUnauthorizedThenCloses()
    {
        await using var server = RpcTestServer.Start(Methods());
        var (peer, status) = await RawRpcPeer.ConnectAsync(server.EndPoint, RpcTestServer.Service, "guess");
        await using var _ = peer;

        await Assert.That(status).IsEqualTo(RpcStatus.Unauthorized);
        // A request sent anyway is never answered: the server has hung up.
        try { await peer.WriteFrameAsync(RpcFrameHeader.Request(1, Echo, 1000), [1]); }
        catch (IOException) { }
        await Assert.That(await peer.ReadFrameAsync()).IsNull();
        await Assert.That(server.Statistics.Requests).IsEqualTo(0);
    }

    [Test]
    public async Task ConnectAsync_EmptySecretsOnBothSides_Works_ButNotAgainstASetOne()
    {
        await using var open = RpcTestServer.Start(Methods(), new RpcServiceOptions { InternalSharedSecret = "" });
        await using var connection = await open.ConnectAsync(secret: "");
        var echo = await connection.CallAsync(Echo, "ok"u8.ToArray(), Rpc.Deadline, CancellationToken.None);
        await Assert.That(Encoding.UTF8.GetString(echo)).IsEqualTo("ok");

        await using var guarded = RpcTestServer.Start(Methods());
        var error = await Rpc.Catch<RpcAuthenticationException>(() => guarded.ConnectAsync(secret: ""));
        await Assert.That(error.Status).IsEqualTo(RpcStatus.Unauthorized);
        await Assert.That(await Rpc.Catch<RpcAuthenticationException>(() => open.ConnectAsync(secret: "set"))).IsNotNull();
    }

    [Test]
    public async Task CallAsync_FrameOverTheServerLimit_FailsWithTheLimitAndTheConnectionCloses()
    {
        await using var server = RpcTestServer.Start(Methods(),
            new RpcServiceOptions { InternalSharedSecret = RpcTestServer.Secret, MaxFrameSize = 1024 });
        await using var connection = await server.ConnectAsync();
        var fits = new byte[1024 - RpcFrame.MinLength];
        await Assert.That((await connection.CallAsync(Echo, fits, Rpc.Deadline, CancellationToken.None)).Length).IsEqualTo(fits.Length);

        var error = await Rpc.Catch<RpcException>(() =>
            connection.CallAsync(Echo, new byte[fits.Length + 1], Rpc.Deadline, CancellationToken.None));

        await Assert.That(error.Status).IsEqualTo(RpcStatus.BadRequest);
        await Assert.That(error.Message).Contains("exceeds the limit of 1024 bytes");
        await Assert.That(await Rpc.EventuallyAsync(() => !connection.IsOpen)).IsTrue();
        await Assert.That(server.Statistics.ProtocolErrors).IsEqualTo(1);
        var after = await Rpc.Catch<RpcException>(() => connection.CallAsync(Echo, fits, Rpc.Deadline, CancellationToken.None));
        await Assert.That(after.Status).IsEqualTo(RpcStatus.BadRequest);
    }

    [Test]
    public async Task Server_LengthFieldOfTwoGigabytes_RefusedWithoutReadingIt()
    {
        await using var server = RpcTestServer.Start(Methods());
        var (peer, _) = await RawRpcPeer.ConnectAsync(server.EndPoint, RpcTestServer.Service, RpcTestServer.Secret);
        await using var __ = peer;

        await peer.WriteRawAsync([0x7F, 0xFF, 0xFF, 0xFF, RpcFrame.Version]);
        var answer = await peer.ReadFrameAsync();

        await Assert.That(answer!.Value.Header).IsEqualTo(RpcFrameHeader.Response(0, 0, RpcStatus.BadRequest));
        await Assert.That(Encoding.UTF8.GetString(answer.Value.Payload)).Contains("exceeds the limit of 67108864 bytes");
        await Assert.That(await peer.SeesCloseAsync()).IsTrue();
    }

    [Test]
    public async Task CallAsync_RequestOverTheClientLimit_RefusedLocallyAndTheConnectionLives()
    {
        await using var server = RpcTestServer.Start(Methods());
        await using var connection = await server.ConnectAsync(maxFrameSize: 100);

        var error = await Rpc.Catch<RpcException>(() =>
            connection.CallAsync(Echo, new byte[100], Rpc.Deadline, CancellationToken.None));

        await Assert.That(error.Status).IsEqualTo(RpcStatus.BadRequest);
        await Assert.That(error.Message).Contains("exceeds the frame limit of 100 bytes");
        await Assert.That(server.Statistics.Requests).IsEqualTo(0);
        await Assert.That((await connection.CallAsync(Echo, new byte[10], Rpc.Deadline, CancellationToken.None)).Length).IsEqualTo(10);
    }

    [Test]
    public async Task CallAsync_ServerStopsMidCall_PendingAndLaterCallsFailUnavailable()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = RpcTestServer.Start(Methods(started, cancelled));
        await using var connection = await server.ConnectAsync();
        var pending = connection.CallAsync(WaitForCancellation, ReadOnlyMemory<byte>.Empty, Rpc.Deadline, CancellationToken.None);
        await started.Task.WaitAsync(Rpc.Deadline);
        var clock = Stopwatch.StartNew();

        await server.Listener.StopAsync(TimeSpan.FromSeconds(5));

        var error = await Rpc.Catch<RpcException>(() => pending);
        await Assert.That(error.Status).IsEqualTo(RpcStatus.Unavailable);
        await Assert.That(clock.Elapsed).IsLessThan(TimeSpan.FromSeconds(5));
        await cancelled.Task.WaitAsync(Rpc.Deadline);
        await connection.Completion.WaitAsync(Rpc.Deadline);
        await Assert.That(connection.IsOpen).IsFalse();
        var later = await Rpc.Catch<RpcException>(() => connection.CallAsync(Echo, new byte[] { 1 }, Rpc.Deadline, CancellationToken.None));
        await Assert.That(later.Status).IsEqualTo(RpcStatus.Unavailable);
    }

    [Test]
    public async Task CallAsync_AnswerAfterTheDeadline_IsDroppedAndTheConnectionLives()
    {
        // A fake server that answers the first request only after its 100 ms deadline, then the second at once.
        using var listener = FakeRpcServer.Listen();
        var fake = FakeRpcServer.ServeOneAsync(listener, async peer =>
        {
            var slow = (await peer.ReadFrameAsync())!.Value.Header;
            await Task.Delay(500);
            await peer.WriteFrameAsync(RpcFrameHeader.Response(slow.RequestId, slow.Method, RpcStatus.Ok), [1]);
            var quick = (await peer.ReadFrameAsync())!.Value.Header;
            await peer.WriteFrameAsync(RpcFrameHeader.Response(quick.RequestId, quick.Method, RpcStatus.Ok), [2]);
            return 2;
        });
        await using var connection = await FakeRpcServer.ConnectAsync(listener);

        var error = await Rpc.Catch<RpcException>(() =>
            connection.CallAsync(Echo, ReadOnlyMemory<byte>.Empty, TimeSpan.FromMilliseconds(100), CancellationToken.None));
        await Assert.That(error.Status).IsEqualTo(RpcStatus.DeadlineExceeded);
        await Assert.That(connection.LateResponses).IsEqualTo(0);
        await Assert.That(await Rpc.EventuallyAsync(() => connection.LateResponses == 1)).IsTrue();

        var answer = await connection.CallAsync(Echo, ReadOnlyMemory<byte>.Empty, Rpc.Deadline, CancellationToken.None);
        await Assert.That(answer.SequenceEqual(new byte[] { 2 })).IsTrue();
        await Assert.That(await fake.WaitAsync(Rpc.Deadline)).IsEqualTo(2);
    }

    [Test]
    public async Task CallAsync_PeerDropsTheConnection_EveryPendingCallFails()
    {
        // A fake server that takes three requests and hangs up without answering.
        using var listener = FakeRpcServer.Listen();
        var fake = FakeRpcServer.ServeOneAsync(listener, async peer =>
        {
            int requests = 0;
            while (requests < 3 && await peer.ReadFrameAsync() is not null) requests++;
            return requests;
        });
        await using var connection = await FakeRpcServer.ConnectAsync(listener);

        var calls = Enumerable.Range(0, 3)
            .Select(i => connection.CallAsync(Echo, new[] { (byte)i }, Rpc.Deadline, CancellationToken.None)).ToArray();
        await Assert.That(await fake.WaitAsync(Rpc.Deadline)).IsEqualTo(3);

        foreach (var call in calls)
        {
            var error = await Rpc.Catch<RpcException>(() => call);
            await Assert.That(error.Status).IsEqualTo(RpcStatus.Unavailable);
            await Assert.That(error.Message).Contains("closed the connection");
        }
        await Assert.That(connection.IsOpen).IsFalse();
    }

    [Test]
    public async Task CallAsync_UnknownMethod_ThrowsUnknownMethodWithTheServersMessage()
    {
        await using var server = RpcTestServer.Start(Methods());
        await using var connection = await server.ConnectAsync();

        var error = await Rpc.Catch<RpcException>(() => connection.CallAsync(999, ReadOnlyMemory<byte>.Empty, Rpc.Deadline, CancellationToken.None));

        await Assert.That(error.Status).IsEqualTo(RpcStatus.UnknownMethod);
        await Assert.That(error.Message).IsEqualTo("unknown method 999");
        await Assert.That(connection.IsOpen).IsTrue();
    }

    [Test]
    public async Task CallAsync_HandlerThrows_ThrowsInternalWithTheHandlersMessage()
    {
        await using var server = RpcTestServer.Start(Methods());
        await using var connection = await server.ConnectAsync();

        var error = await Rpc.Catch<RpcException>(() => connection.CallAsync(Throw, ReadOnlyMemory<byte>.Empty, Rpc.Deadline, CancellationToken.None));

        await Assert.That(error.Status).IsEqualTo(RpcStatus.Internal);
        await Assert.That(error.Message).IsEqualTo("the handler broke");
        await Assert.That(server.Statistics.HandlerFailures).IsEqualTo(1);
        await Assert.That((await connection.CallAsync(Echo, new byte[] { 9 }, Rpc.Deadline, CancellationToken.None))[0]).IsEqualTo((byte)9);
    }

    [Test]
    public async Task CallAsync_CallerCancels_ThrowsOperationCanceledNotDeadline()
    {
        await using var server = RpcTestServer.Start(Methods());
        await using var connection = await server.ConnectAsync();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        var error = await Rpc.Catch<OperationCanceledException>(() =>
            connection.CallAsync(WaitForCancellation, ReadOnlyMemory<byte>.Empty, Rpc.Deadline, cancel.Token));

        await Assert.That(error.CancellationToken).IsEqualTo(cancel.Token);
        await Assert.That(connection.IsOpen).IsTrue();
    }

    [Test]
    public async Task ConnectAsync_ServiceByteNobodyServes_ThrowsUnavailable()
    {
        await using var server = RpcTestServer.Start(Methods());
        using var dial = new CancellationTokenSource(Rpc.Deadline);

        var error = await Rpc.Catch<RpcException>(() => RpcConnection.ConnectAsync(server.EndPoint, RpcServiceBytes.Snapshotter,
            new RpcClientOptions { InternalSharedSecret = RpcTestServer.Secret }, dial.Token));

        await Assert.That(error.Status).IsEqualTo(RpcStatus.Unavailable);
        await Assert.That(error.Message).Contains("does it serve RPC service 3");
    }

    [Test]
    public async Task ConnectAsync_PeerNeverSendsTheNonce_GivesUpAtTheDialTimeout()
    {
        // The kernel completes the TCP connect from the backlog, but nobody ever speaks.
        using var silent = FakeRpcServer.Listen();
        using var dial = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var clock = Stopwatch.StartNew();

        var error = await Rpc.Catch<OperationCanceledException>(() => RpcConnection.ConnectAsync(silent.LocalEndPoint!,
            RpcTestServer.Service, new RpcClientOptions { InternalSharedSecret = RpcTestServer.Secret }, dial.Token));

        await Assert.That(error.CancellationToken).IsEqualTo(dial.Token);
        await Assert.That(clock.Elapsed).IsLessThan(TimeSpan.FromSeconds(5));
    }

    [Test]
    public async Task ConnectAsync_NothingListening_ThrowsUnavailable()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var unused = probe.LocalEndPoint!;
        probe.Dispose();
        using var dial = new CancellationTokenSource(Rpc.Deadline);

        var error = await Rpc.Catch<RpcException>(() => RpcConnection.ConnectAsync(unused, RpcTestServer.Service,
            new RpcClientOptions { InternalSharedSecret = RpcTestServer.Secret }, dial.Token));

        await Assert.That(error.Status).IsEqualTo(RpcStatus.Unavailable);
        await Assert.That(error.Message).Contains("cannot connect");
    }

    [Test]
    public async Task CallAsync_DeadlinePassesWhileALargeFrameIsBeingSent_ClosesTheConnection_AndReturnsAtOnce()
    {
        // One request slot and a handler that holds it: the server stops reading after the second frame, so a large
        // third frame fills the socket's buffers and its write blocks.
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = RpcTestServer.Start(async (_, payload, _) =>
        {
            await gate.Task;
            return RpcReply.Ok(ReadOnlyMemory<byte>.Empty);
        }, new RpcServiceOptions { InternalSharedSecret = RpcTestServer.Secret, MaxConcurrentRequestsPerConnection = 1 });
        await using var connection = await server.ConnectAsync();
        try
        {
            var held = connection.CallAsync(Echo, "a"u8.ToArray(), Rpc.Deadline, CancellationToken.None);
            var queued = connection.CallAsync(Echo, "b"u8.ToArray(), Rpc.Deadline, CancellationToken.None);
            var large = new byte[48 << 20];
            var watch = Stopwatch.StartNew();
            var e = await Rpc.Catch<RpcException>(() => connection.CallAsync(Echo, large, TimeSpan.FromMilliseconds(300), CancellationToken.None));
            await Assert.That(e.Status).IsEqualTo(RpcStatus.DeadlineExceeded);
            await Assert.That(watch.Elapsed).IsLessThan(TimeSpan.FromSeconds(5));
            // The frame was cut short, so the connection is gone (and the caller's memory is no longer read from).
            await Assert.That(connection.IsOpen).IsFalse();
            await Assert.That((await Rpc.Catch<RpcException>(() => held)).Status).IsEqualTo(RpcStatus.Unavailable);
            await Assert.That((await Rpc.Catch<RpcException>(() => queued)).Status).IsEqualTo(RpcStatus.Unavailable);
        }
        finally
        {
            gate.TrySetResult();
        }
    }
}
