using Cairn.Meta.Store;
using NLog;

namespace Cairn.Meta.Raft;

public enum RaftRole
{
    Follower,
    Candidate,
    Leader,
}

/// <summary>The timing of a <see cref="RaftNode"/>, from <c>[meta]</c>.</summary>
public sealed record RaftOptions
{
    /// <summary>A follower that hears no leader for a random time in [this, 2×this) starts an election.</summary>
    public TimeSpan ElectionTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The leader sends entries or a heartbeat to each follower at least every tenth of this.</summary>
    public TimeSpan HeartbeatTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>A leader that has not heard from a majority for this long steps down.</summary>
    public TimeSpan LeaderLeaseTimeout { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How long a proposed command may take to commit before the caller gets a timeout.</summary>
    public TimeSpan ConsensusTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Applied entries between snapshots (log compaction).</summary>
    public int SnapshotInterval { get; init; } = 1000;

    /// <summary>Entries per AppendEntries message.</summary>
    public int MaxEntriesPerMessage { get; init; } = 256;

    internal TimeSpan HeartbeatInterval => TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond * 10, Math.Min(HeartbeatTimeout.Ticks, ElectionTimeout.Ticks) / 10));
}

/// <summary>Thrown by <see cref="RaftNode.ProposeAsync"/> on a node that is not the leader; carries where the leader is, if known.</summary>
public sealed class NotLeaderException(string? leaderHttp, string message) : Exception(message)
{
    /// <summary>The leader's meta HTTP address, or null when there is no leader now.</summary>
    public string? LeaderHttp { get; } = leaderHttp;
}

/// <summary>A proposal that did not commit: the leader lost its leadership, or the consensus timeout passed.</summary>
public sealed class RaftUnavailableException(string message) : Exception(message);

/// <summary>
/// One meta node's Raft: leader election, log replication, commitment by majority, snapshots for compaction and
/// for followers too far behind, and membership changes one node at a time. The replicated state machine is
/// <see cref="MetaStateMachine"/>; membership is the list of meta nodes in the state, taken from the latest
/// entry in the log, committed or not (as the Raft dissertation's single-server changes require), so an entry
/// that adds or removes a meta node takes effect as soon as it is appended.
/// All state is guarded by one lock; disk writes happen under it (metadata changes are rare), network calls outside it.
/// </summary>
public sealed class RaftNode : IMetaConsensus
{
    private static readonly Logger Log = LogManager.GetLogger("raft");

    private readonly RaftOptions _options;
    private readonly RaftStorage _storage;
    private readonly IRaftTransport _transport;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<ulong, Pending> _pending = [];
    private readonly Dictionary<string, Replicator> _replicators = new(StringComparer.Ordinal);
    private Task? _ticker;

    private RaftRole _role = RaftRole.Follower;
    private string _leader = "";
    private string _leaderHttp = "";
    private ulong _commitIndex;
    private ulong _lastApplied;
    private MetaState _applied;
    private HashSet<string> _members = new(StringComparer.Ordinal);
    private long _electionDeadline;
    private long _lastLeaderContact;
    private TaskCompletionSource _changed = NewSignal();
    private int _votes;

    public RaftNode(string self, string selfHttp, RaftOptions options, RaftStorage storage, IRaftTransport transport, TimeProvider? time = null)
    {
        Self = self;
        SelfHttp = selfHttp;
        _options = options;
        _storage = storage;
        _transport = transport;
        _time = time ?? TimeProvider.System;
        _applied = storage.SnapshotState;
        _commitIndex = _lastApplied = storage.SnapshotIndex;
        RecomputeMembers();
        ResetElectionDeadline();
    }

    /// <summary>This node's Raft address, as the other members know it.</summary>
    public string Self { get; }

    /// <summary>This node's meta HTTP address.</summary>
    public string SelfHttp { get; }

    /// <summary>The state machine after the last applied entry.</summary>
    public MetaState State { get { lock (_gate) return _applied; } }

    public RaftRole Role { get { lock (_gate) return _role; } }

    public ulong Term { get { lock (_gate) return _storage.CurrentTerm; } }

    public ulong CommitIndex { get { lock (_gate) return _commitIndex; } }

    /// <summary>The leader's Raft address, or "" when none is known.</summary>
    public string Leader { get { lock (_gate) return _role == RaftRole.Leader ? Self : _leader; } }

    /// <summary>The leader's meta HTTP address, or "" when none is known.</summary>
    public string LeaderHttp { get { lock (_gate) return _role == RaftRole.Leader ? SelfHttp : _leaderHttp; } }

    /// <summary>The Raft addresses of the members, this one included when it is one.</summary>
    public IReadOnlyList<string> Members { get { lock (_gate) return [.. _members.Order(StringComparer.Ordinal)]; } }

    /// <summary>Whether this node belongs to a cluster: it has a log, a snapshot or a term from one.</summary>
    public bool IsJoined { get { lock (_gate) return _members.Count > 0 || _storage.LastIndex > 0; } }

    bool IMetaConsensus.AcceptsMembers => true;

    public void Start() => _ticker = TickAsync(_stop.Token);

    /// <summary>
    /// Creates a one-member cluster of this node (add-meta naming itself on a fresh node): term 1, this node's
    /// <see cref="CreateMetaNodeCommand"/> as entry 1, and leadership.
    /// </summary>
    public Task<MetaResult> BootstrapAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_storage.IsEmpty) throw new InvalidOperationException("this meta node already belongs to a cluster");
            _storage.SetTerm(1, Self);
            var entry = RaftEntry.ForCommand(1, 1, new CreateMetaNodeCommand(SelfHttp, Self));
            _storage.Append([entry]);
            RecomputeMembers();
            var pending = new Pending(1, new TaskCompletionSource<MetaResult>(TaskCreationOptions.RunContinuationsAsynchronously));
            _pending[1] = pending;
            BecomeLeader();
            AdvanceCommit();
            return pending.Completion.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Appends <paramref name="command"/> to the log and completes when it is applied, with the state machine's result.
    /// </summary>
    /// <exception cref="NotLeaderException">This node is not the leader.</exception>
    /// <exception cref="RaftUnavailableException">The entry did not commit within the consensus timeout, or leadership was lost.</exception>
    public async ValueTask<MetaResult> ProposeAsync(MetaCommand command, CancellationToken cancellationToken)
    {
        Pending pending;
        lock (_gate)
        {
            if (_role != RaftRole.Leader)
                throw new NotLeaderException(_leaderHttp.Length == 0 ? null : _leaderHttp,
                    _leaderHttp.Length == 0 ? "no meta leader is elected" : $"not the meta leader; the leader is {_leaderHttp}");
            var entry = RaftEntry.ForCommand(_storage.LastIndex + 1, _storage.CurrentTerm, command);
            if (entry.IsMembershipChange && !MembershipChangeAllowed(out var why)) throw new RaftUnavailableException(why);
            _storage.Append([entry]);
            if (entry.IsMembershipChange) RecomputeMembers();
            pending = new Pending(entry.Term, new TaskCompletionSource<MetaResult>(TaskCreationOptions.RunContinuationsAsynchronously));
            _pending[entry.Index] = pending;
            AdvanceCommit(); // a one-member cluster commits at once
            SignalReplicators();
        }
        try
        {
            return await pending.Completion.Task.WaitAsync(_options.ConsensusTimeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new RaftUnavailableException($"timeout: the meta command did not commit within {_options.ConsensusTimeout.TotalSeconds:0.###}s");
        }
    }

    MetaState IMetaStore.Current => State;

    ValueTask<MetaResult> IMetaStore.ExecuteAsync(MetaCommand command, CancellationToken cancellationToken) => ProposeAsync(command, cancellationToken);

    /// <summary>Completes with the first applied state whose index is greater than <paramref name="index"/>.</summary>
    public async Task<MetaState> WaitForIndexAsync(ulong index, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task signal;
            lock (_gate)
            {
                if (_applied.Index > index) return _applied;
                signal = _changed.Task;
            }
            ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
            await signal.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Answers one message from a peer.</summary>
    public Task<RaftMessage> HandleAsync(RaftMessage message, CancellationToken cancellationToken)
    {
        RaftMessage reply;
        lock (_gate)
        {
            reply = message switch
            {
                RequestVote m => OnRequestVote(m),
                AppendEntries m => OnAppendEntries(m),
                InstallSnapshot m => OnInstallSnapshot(m),
                _ => throw new InvalidDataException($"unexpected raft message {message.Type}"),
            };
        }
        return Task.FromResult(reply);
    }

    // ---- elections ----

    private async Task TickAsync(CancellationToken stop)
    {
        var period = TimeSpan.FromMilliseconds(Math.Clamp(_options.ElectionTimeout.TotalMilliseconds / 20, 5, 50));
        while (!stop.IsCancellationRequested)
        {
            try { await Task.Delay(period, _time, stop).ConfigureAwait(false); }
            catch (OperationCanceledException) { return; }
            List<(string Peer, RequestVote Request)>? ballots = null;
            lock (_gate)
            {
                long now = _time.GetTimestamp();
                if (_role == RaftRole.Leader)
                {
                    if (!HasRecentQuorum(now))
                    {
                        Log.Warn("meta leader {0} has not heard from a majority for {1}; stepping down", Self, _options.LeaderLeaseTimeout);
                        BecomeFollower(_storage.CurrentTerm, "", "");
                    }
                }
                else if (now >= _electionDeadline && _members.Contains(Self))
                {
                    ballots = StartElection();
                }
            }
            if (ballots is not null)
                foreach (var (peer, request) in ballots) _ = RequestVoteAsync(peer, request, stop);
        }
    }

    private List<(string, RequestVote)> StartElection()
    {
        ulong term = _storage.CurrentTerm + 1;
        _storage.SetTerm(term, Self);
        _role = RaftRole.Candidate;
        _leader = _leaderHttp = "";
        _votes = 1;
        ResetElectionDeadline();
        Log.Info("meta node {0} starts an election for term {1}", Self, term);
        if (_votes > _members.Count / 2)
        {
            BecomeLeader();
            return [];
        }
        var request = new RequestVote(term, Self, _storage.LastIndex, _storage.LastTerm);
        return [.. _members.Where(m => m != Self).Select(m => (m, request))];
    }

    private async Task RequestVoteAsync(string peer, RequestVote request, CancellationToken stop)
    {
        RaftMessage reply;
        try { reply = await _transport.SendAsync(peer, request, _options.ElectionTimeout, stop).ConfigureAwait(false); }
        catch (Exception e) when (e is IOException or OperationCanceledException) { return; }
        lock (_gate)
        {
            if (reply is not RequestVoteReply vote) return;
            if (vote.Term > _storage.CurrentTerm) { BecomeFollower(vote.Term, "", ""); return; }
            if (_role != RaftRole.Candidate || _storage.CurrentTerm != request.Term || !vote.Granted) return;
            _votes++;
            if (_votes > _members.Count / 2) BecomeLeader();
        }
    }

    private RequestVoteReply OnRequestVote(RequestVote m)
    {
        long now = _time.GetTimestamp();
        // A node that hears from a live leader ignores candidates: a removed or partitioned node must not
        // depose a working leader by bumping the term (the Raft dissertation, §4.2.3).
        bool leaderAlive = _role == RaftRole.Leader
            || (_leader.Length > 0 && _time.GetElapsedTime(_lastLeaderContact, now) < _options.ElectionTimeout);
        if (leaderAlive && m.Candidate != _leader) return new RequestVoteReply(_storage.CurrentTerm, false);
        if (m.Term < _storage.CurrentTerm) return new RequestVoteReply(_storage.CurrentTerm, false);
        if (m.Term > _storage.CurrentTerm) BecomeFollower(m.Term, "", "");
        bool upToDate = m.LastLogTerm > _storage.LastTerm || (m.LastLogTerm == _storage.LastTerm && m.LastLogIndex >= _storage.LastIndex);
        bool free = _storage.VotedFor.Length == 0 || _storage.VotedFor == m.Candidate;
        if (!upToDate || !free) return new RequestVoteReply(_storage.CurrentTerm, false);
        _storage.SetTerm(_storage.CurrentTerm, m.Candidate);
        ResetElectionDeadline();
        return new RequestVoteReply(_storage.CurrentTerm, true);
    }

    private void BecomeFollower(ulong term, string leader, string leaderHttp)
    {
        if (term > _storage.CurrentTerm) _storage.SetTerm(term, "");
        if (_role == RaftRole.Leader) Log.Info("meta node {0} is no longer the leader (term {1})", Self, _storage.CurrentTerm);
        _role = RaftRole.Follower;
        _leader = leader;
        _leaderHttp = leaderHttp;
        StopReplicators();
        FailPending(leader.Length > 0 ? $"leadership moved to {leaderHttp}" : "leadership lost");
    }

    private void BecomeLeader()
    {
        _role = RaftRole.Leader;
        _leader = Self;
        _leaderHttp = SelfHttp;
        Log.Info("meta node {0} is the leader for term {1}", Self, _storage.CurrentTerm);
        // An entry of its own term lets the new leader commit everything before it (Raft §5.4.2).
        if (_storage.LastTerm != _storage.CurrentTerm) _storage.Append([RaftEntry.NoOp(_storage.LastIndex + 1, _storage.CurrentTerm)]);
        long now = _time.GetTimestamp();
        foreach (var member in _members) EnsureReplicator(member, now);
        AdvanceCommit();
    }

    private bool HasRecentQuorum(long now)
    {
        int recent = _members.Contains(Self) ? 1 : 0;
        foreach (var (peer, r) in _replicators)
            if (_members.Contains(peer) && _time.GetElapsedTime(r.LastContact, now) < _options.LeaderLeaseTimeout + _options.HeartbeatInterval) recent++;
        return recent > _members.Count / 2;
    }

    private void ResetElectionDeadline()
    {
        var timeout = _options.ElectionTimeout * (1 + Random.Shared.NextDouble());
        _electionDeadline = _time.GetTimestamp() + (long)(timeout.TotalSeconds * _time.TimestampFrequency);
    }

    // ---- replication, leader side ----

    private void EnsureReplicator(string peer, long now)
    {
        if (peer == Self || _replicators.ContainsKey(peer)) return;
        var r = new Replicator(peer, _storage.CurrentTerm) { NextIndex = _storage.LastIndex + 1, LastContact = now };
        _replicators[peer] = r;
        r.Task = ReplicateAsync(r);
    }

    private void StopReplicators()
    {
        foreach (var r in _replicators.Values) r.Stop.Cancel();
        _replicators.Clear();
    }

    private void SignalReplicators()
    {
        foreach (var r in _replicators.Values) r.Wake.TrySetResult();
    }

    private async Task ReplicateAsync(Replicator r)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, r.Stop.Token);
        var token = stop.Token;
        while (!token.IsCancellationRequested)
        {
            RaftMessage request;
            Task wake;
            lock (_gate)
            {
                if (_role != RaftRole.Leader || _storage.CurrentTerm != r.Term || !_replicators.ContainsKey(r.Peer)) return;
                r.Wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wake = r.Wake.Task;
                request = BuildRequest(r);
            }
            RaftMessage? reply = null;
            try { reply = await _transport.SendAsync(r.Peer, request, _options.ElectionTimeout, token).ConfigureAwait(false); }
            catch (OperationCanceledException) { return; }
            catch (IOException e)
            {
                if (!r.Failing) Log.Debug("meta node {0} cannot reach {1}: {2}", Self, r.Peer, e.Message);
                r.Failing = true;
            }
            bool more = false;
            if (reply is not null)
            {
                r.Failing = false;
                lock (_gate) more = OnReply(r, request, reply);
            }
            if (more) continue;
            try { await wake.WaitAsync(_options.HeartbeatInterval, _time, token).ConfigureAwait(false); }
            catch (TimeoutException) { }
            catch (OperationCanceledException) { return; }
        }
    }

    private RaftMessage BuildRequest(Replicator r)
    {
        if (r.NextIndex <= _storage.SnapshotIndex)
            return new InstallSnapshot(_storage.CurrentTerm, Self, SelfHttp, _storage.SnapshotIndex, _storage.SnapshotTerm, _storage.SnapshotBytes);
        ulong prev = r.NextIndex - 1;
        return new AppendEntries(_storage.CurrentTerm, Self, SelfHttp, prev, _storage.TermAt(prev) ?? 0,
            _storage.EntriesFrom(r.NextIndex, _options.MaxEntriesPerMessage), _commitIndex);
    }

    /// <summary>Takes a follower's reply; true when more entries wait to be sent at once.</summary>
    private bool OnReply(Replicator r, RaftMessage request, RaftMessage reply)
    {
        if (reply.Term > _storage.CurrentTerm)
        {
            BecomeFollower(reply.Term, "", "");
            return false;
        }
        if (_role != RaftRole.Leader || _storage.CurrentTerm != r.Term) return false;
        r.LastContact = _time.GetTimestamp();
        switch (request, reply)
        {
            case (InstallSnapshot s, InstallSnapshotReply):
                r.MatchIndex = Math.Max(r.MatchIndex, s.LastIncludedIndex);
                r.NextIndex = s.LastIncludedIndex + 1;
                break;
            case (AppendEntries a, AppendEntriesReply ok) when ok.Success:
                r.MatchIndex = Math.Max(r.MatchIndex, a.PrevLogIndex + (ulong)a.Entries.Count);
                r.NextIndex = r.MatchIndex + 1;
                AdvanceCommit();
                break;
            case (AppendEntries a, AppendEntriesReply refused):
                r.NextIndex = Math.Max(1, Math.Min(a.PrevLogIndex, refused.LastLogIndex + 1));
                return true;
            default:
                return false;
        }
        return r.NextIndex <= _storage.LastIndex;
    }

    private void AdvanceCommit()
    {
        if (_role != RaftRole.Leader) return;
        for (ulong n = _storage.LastIndex; n > _commitIndex; n--)
        {
            if (_storage.TermAt(n) != _storage.CurrentTerm) break; // only entries of the current term commit by counting
            int votes = _members.Contains(Self) ? 1 : 0;
            foreach (var (peer, r) in _replicators)
                if (_members.Contains(peer) && r.MatchIndex >= n) votes++;
            if (votes > _members.Count / 2)
            {
                _commitIndex = n;
                ApplyCommitted();
                SignalReplicators(); // followers learn the new commit index promptly
                break;
            }
        }
    }

    /// <summary>A membership change waits until the previous one and an entry of this term are committed.</summary>
    private bool MembershipChangeAllowed(out string why)
    {
        for (ulong i = _commitIndex + 1; i <= _storage.LastIndex; i++)
            if (_storage.Entry(i) is { IsMembershipChange: true })
            {
                why = "another meta membership change is in progress; retry";
                return false;
            }
        if (_storage.TermAt(_commitIndex) != _storage.CurrentTerm)
        {
            why = "the meta leader has not committed an entry of its term yet; retry";
            return false;
        }
        why = "";
        return true;
    }

    // ---- replication, follower side ----

    private AppendEntriesReply OnAppendEntries(AppendEntries m)
    {
        if (m.Term < _storage.CurrentTerm) return new AppendEntriesReply(_storage.CurrentTerm, false, _storage.LastIndex);
        if (m.Term > _storage.CurrentTerm || _role != RaftRole.Follower || _leader != m.Leader) BecomeFollower(m.Term, m.Leader, m.LeaderHttp);
        _lastLeaderContact = _time.GetTimestamp();
        ResetElectionDeadline();

        if (m.PrevLogIndex > _storage.LastIndex) return new AppendEntriesReply(_storage.CurrentTerm, false, _storage.LastIndex);
        if (m.PrevLogIndex >= _storage.SnapshotIndex && _storage.TermAt(m.PrevLogIndex) != m.PrevLogTerm)
            return new AppendEntriesReply(_storage.CurrentTerm, false, Math.Min(_storage.LastIndex, m.PrevLogIndex - 1));

        var fresh = new List<RaftEntry>();
        bool membership = false;
        foreach (var e in m.Entries)
        {
            if (e.Index <= _storage.SnapshotIndex) continue; // committed already, and compacted
            if (fresh.Count == 0 && e.Index <= _storage.LastIndex)
            {
                if (_storage.TermAt(e.Index) == e.Term) continue;
                if (e.Index <= _commitIndex)
                {
                    Log.Error("meta leader {0} sent entry {1} of term {2} over a committed entry; ignoring the message", m.Leader, e.Index, e.Term);
                    return new AppendEntriesReply(_storage.CurrentTerm, false, _commitIndex);
                }
                membership |= HasMembershipChangeFrom(e.Index);
                _storage.TruncateFrom(e.Index);
                FailPending("the entry was replaced by a new leader", e.Index);
            }
            fresh.Add(e);
            membership |= e.IsMembershipChange;
        }
        _storage.Append(fresh);
        if (membership) RecomputeMembers();

        ulong lastNew = m.PrevLogIndex + (ulong)m.Entries.Count;
        if (m.LeaderCommit > _commitIndex)
        {
            _commitIndex = Math.Min(m.LeaderCommit, Math.Max(lastNew, _commitIndex));
            ApplyCommitted();
        }
        return new AppendEntriesReply(_storage.CurrentTerm, true, _storage.LastIndex);
    }

    private InstallSnapshotReply OnInstallSnapshot(InstallSnapshot m)
    {
        if (m.Term < _storage.CurrentTerm) return new InstallSnapshotReply(_storage.CurrentTerm);
        if (m.Term > _storage.CurrentTerm || _role != RaftRole.Follower || _leader != m.Leader) BecomeFollower(m.Term, m.Leader, m.LeaderHttp);
        _lastLeaderContact = _time.GetTimestamp();
        ResetElectionDeadline();
        if (m.LastIncludedIndex <= _commitIndex) return new InstallSnapshotReply(_storage.CurrentTerm);

        MetaState state;
        try { state = MetaSnapshotCodec.Decode(m.State); }
        catch (InvalidDataException e)
        {
            Log.Error("meta leader {0} sent a damaged snapshot: {1}", m.Leader, e.Message);
            return new InstallSnapshotReply(_storage.CurrentTerm);
        }
        bool keepLog = _storage.TermAt(m.LastIncludedIndex) == m.LastIncludedTerm;
        _storage.SaveSnapshot(m.LastIncludedIndex, m.LastIncludedTerm, state, discardLog: !keepLog);
        _commitIndex = _lastApplied = m.LastIncludedIndex;
        Publish(state);
        RecomputeMembers();
        Log.Info("meta node {0} installed a snapshot at index {1} from {2}", Self, m.LastIncludedIndex, m.Leader);
        return new InstallSnapshotReply(_storage.CurrentTerm);
    }

    private bool HasMembershipChangeFrom(ulong index)
    {
        for (ulong i = index; i <= _storage.LastIndex; i++)
            if (_storage.Entry(i) is { IsMembershipChange: true }) return true;
        return false;
    }

    // ---- applying ----

    private void ApplyCommitted()
    {
        var state = _applied;
        bool membership = false;
        while (_lastApplied < _commitIndex)
        {
            ulong index = _lastApplied + 1;
            var entry = _storage.Entry(index) ?? throw new InvalidOperationException($"raft: committed entry {index} is missing");
            MetaResult result = default;
            if (entry.Command is { } command)
            {
                result = MetaStateMachine.Apply(state, command, out var next);
                state = next;
                membership |= entry.IsMembershipChange;
            }
            _lastApplied = index;
            if (_pending.Remove(index, out var pending))
            {
                if (pending.Term == entry.Term) pending.Completion.TrySetResult(result with { Index = state.Index });
                else pending.Completion.TrySetException(new RaftUnavailableException("the entry was replaced by a new leader"));
            }
        }
        if (!ReferenceEquals(state, _applied)) Publish(state);
        if (membership) RecomputeMembers();

        if (_lastApplied - _storage.SnapshotIndex >= (ulong)_options.SnapshotInterval)
        {
            try { _storage.SaveSnapshot(_lastApplied, _storage.TermAt(_lastApplied) ?? 0, _applied); }
            catch (IOException e) { Log.Error(e, "meta snapshot at index {0} failed; the log keeps the entries", _lastApplied); }
        }

        if (_role == RaftRole.Leader && !_members.Contains(Self) && _commitIndex >= _storage.LastIndex)
        {
            Log.Info("meta node {0} was removed from the cluster; stepping down", Self);
            BecomeFollower(_storage.CurrentTerm, "", "");
        }
    }

    private void Publish(MetaState state)
    {
        _applied = state;
        var old = _changed;
        _changed = NewSignal();
        old.TrySetResult();
    }

    /// <summary>The members: the meta nodes of the applied state, changed by the membership entries after it.</summary>
    private void RecomputeMembers()
    {
        var state = _applied;
        for (ulong i = _lastApplied + 1; i <= _storage.LastIndex; i++)
            if (_storage.Entry(i) is { IsMembershipChange: true, Command: { } command })
                MetaStateMachine.Apply(state, command, out state);
        _members = new HashSet<string>(state.MetaNodes.Select(n => n.TcpAddr), StringComparer.Ordinal);
        if (_role == RaftRole.Leader)
        {
            long now = _time.GetTimestamp();
            foreach (var member in _members) EnsureReplicator(member, now);
            foreach (var gone in _replicators.Keys.Where(p => !_members.Contains(p)).ToList())
            {
                // A removed node hears of its removal before its replicator stops: one last round carries the commit.
                if (_commitIndex < _storage.LastIndex) continue;
                _replicators[gone].Stop.Cancel();
                _replicators.Remove(gone);
            }
        }
    }

    private void FailPending(string why, ulong from = 0)
    {
        foreach (var index in _pending.Keys.Where(i => i >= from).ToList())
        {
            _pending.Remove(index, out var p);
            p!.Completion.TrySetException(new RaftUnavailableException(why));
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested) return;
        await _stop.CancelAsync().ConfigureAwait(false);
        List<Task> tasks = [];
        lock (_gate)
        {
            foreach (var r in _replicators.Values) if (r.Task is not null) tasks.Add(r.Task);
            StopReplicators();
            FailPending("the meta node is shutting down");
            _changed.TrySetResult();
        }
        if (_ticker is not null) tasks.Add(_ticker);
        try { await Task.WhenAll(tasks).ConfigureAwait(false); }
        catch (Exception e) when (e is OperationCanceledException or IOException) { }
        lock (_gate) _storage.Dispose();
    }

    private sealed record Pending(ulong Term, TaskCompletionSource<MetaResult> Completion);

    private sealed class Replicator(string peer, ulong term)
    {
        public string Peer { get; } = peer;
        public ulong Term { get; } = term;
        public CancellationTokenSource Stop { get; } = new();
        public TaskCompletionSource Wake { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public ulong NextIndex { get; set; }
        public ulong MatchIndex { get; set; }
        public long LastContact { get; set; }
        public bool Failing { get; set; }
        public Task? Task { get; set; }
    }
}
