using System.Net;
using System.Diagnostics;
using Cairn.Common.Net;
using Cairn.Meta.Raft;
using Cairn.Meta.Store;
using Cairn.Meta.Tests.Store;

namespace Cairn.Meta.Tests.Raft;

/// <summary>
/// Meta nodes' Raft in one process, each on its own loopback TCP listener and directory, with a switch per node
/// that cuts it off from the others (both directions) to model a partition.
/// </summary>
internal sealed class RaftHarness : IAsyncDisposable
{
    public static readonly RaftOptions FastOptions = new()
    {
        ElectionTimeout = TimeSpan.FromMilliseconds(300),
        HeartbeatTimeout = TimeSpan.FromMilliseconds(300),
        LeaderLeaseTimeout = TimeSpan.FromMilliseconds(300),
        ConsensusTimeout = TimeSpan.FromSeconds(5),
    };

    private readonly TempDirectory _dir = new();
    private readonly RaftOptions _options;

    /// <summary>The internal shared secret the members' listeners expect.</summary>
    public string Secret { get; init; } = "meta-secret";
    public List<Member> Members { get; } = [];

    public RaftHarness(RaftOptions? options = null) => _options = options ?? FastOptions;

    public sealed class Member
    {
        public required string Name { get; init; }
        public required string Dir { get; init; }
        public int Port { get; set; }
        public string Address => $"127.0.0.1:{Port}";
        public string Http => $"{Name}.meta:8091";
        public RaftNode? Node { get; set; }
        public TcpServiceListener? Listener { get; set; }
        public TcpRaftTransport? Transport { get; set; }
        public volatile bool Isolated;

        /// <summary>The secret this member dials with, when it differs from the cluster's.</summary>
        public string? Secret { get; set; }
    }

    public async Task<Member> StartAsync(string name)
    {
        var member = new Member { Name = name, Dir = _dir.File(name) };
        Members.Add(member);
        await RestartAsync(member);
        return member;
    }

    public async Task RestartAsync(Member member)
    {
        var listener = TcpServiceListener.Bind(IPAddress.Loopback, member.Port, "raft-" + member.Name);
        member.Port = listener.LocalEndPoint.Port;
        member.Listener = listener;
        member.Transport = new TcpRaftTransport(member.Secret ?? Secret);
        var node = new RaftNode(member.Address, member.Http, _options, RaftStorage.Open(member.Dir), new Partitionable(this, member));
        member.Node = node;
        listener.Register(TcpRaftTransport.ServiceByte, (connection, ct) => TcpRaftTransport.ServeAsync(connection.Socket, Secret,
            (m, token) => member.Isolated ? Task.FromException<RaftMessage>(new IOException("isolated")) : node.HandleAsync(m, token), ct));
        listener.Start();
        node.Start();
    }

    public async Task StopAsync(Member member)
    {
        if (member.Node is null) return;
        await member.Listener!.StopAsync(TimeSpan.FromSeconds(1));
        await member.Listener.DisposeAsync();
        await member.Node.DisposeAsync();
        await member.Transport!.DisposeAsync();
        member.Node = null;
    }

    public IEnumerable<Member> Running => Members.Where(m => m.Node is not null);

    /// <summary>The one running leader, waiting up to <paramref name="within"/> for it.</summary>
    public async Task<Member> LeaderAsync(TimeSpan within, Member? except = null)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < within)
        {
            var leaders = Running.Where(m => m != except && !m.Isolated && m.Node!.Role == RaftRole.Leader).ToList();
            if (leaders.Count == 1) return leaders[0];
            await Task.Delay(20);
        }
        throw new TimeoutException($"no single leader within {within}: " + string.Join(", ", Running.Select(m => $"{m.Name}={m.Node!.Role}/{m.Node.Term}")));
    }

    /// <summary>Proposes on whichever node leads, retrying through elections.</summary>
    public async Task<MetaResult> ProposeAsync(MetaCommand command, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var leader = await LeaderAsync(within - clock.Elapsed);
            try { return await leader.Node!.ProposeAsync(command, CancellationToken.None); }
            catch (Exception e) when (e is NotLeaderException or RaftUnavailableException && clock.Elapsed < within) { await Task.Delay(50); }
        }
    }

    /// <summary>Waits until every running node has applied the same state with at least <paramref name="minIndex"/>.</summary>
    public async Task<MetaState> ConvergedAsync(ulong minIndex, TimeSpan within, IEnumerable<Member>? members = null)
    {
        var clock = Stopwatch.StartNew();
        var set = (members ?? Running).ToList();
        while (true)
        {
            var states = set.Select(m => m.Node!.State).ToList();
            if (states.All(s => s.Index >= minIndex && s.Equals(states[0]))) return states[0];
            if (clock.Elapsed > within)
                throw new TimeoutException("not converged: " + string.Join(", ", set.Select(m => $"{m.Name}@{m.Node!.State.Index}")));
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var m in Members) await StopAsync(m);
        _dir.Dispose();
    }

    private sealed class Partitionable(RaftHarness harness, Member self) : IRaftTransport
    {
        public Task<RaftMessage> SendAsync(string peer, RaftMessage message, TimeSpan timeout, CancellationToken cancellationToken)
        {
            if (self.Isolated || harness.Members.Any(m => m.Address == peer && m.Isolated))
                return Task.FromException<RaftMessage>(new IOException("partitioned"));
            return self.Transport!.SendAsync(peer, message, timeout, cancellationToken);
        }
    }
}
