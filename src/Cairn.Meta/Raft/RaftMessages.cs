using Cairn.Meta.Store;

namespace Cairn.Meta.Raft;

/// <summary>What a log entry carries: a meta command, or nothing (the entry a new leader appends to commit its term).</summary>
public enum RaftEntryKind : byte
{
    NoOp = 0,
    Command = 1,
}

/// <summary>One Raft log entry. <see cref="Command"/> is the decoded form of <see cref="Payload"/>, kept beside it.</summary>
public sealed record RaftEntry(ulong Index, ulong Term, RaftEntryKind Kind, byte[] Payload)
{
    public MetaCommand? Command { get; } = Kind == RaftEntryKind.Command ? MetaCommandCodec.Decode(Payload) : null;

    public static RaftEntry NoOp(ulong index, ulong term) => new(index, term, RaftEntryKind.NoOp, []);

    public static RaftEntry ForCommand(ulong index, ulong term, MetaCommand command) =>
        new(index, term, RaftEntryKind.Command, MetaCommandCodec.Encode(command));

    /// <summary>Whether the entry changes the Raft membership (meta nodes).</summary>
    public bool IsMembershipChange => Command is CreateMetaNodeCommand or DeleteMetaNodeCommand;
}

/// <summary>The message type byte of a Raft frame (docs/formats/raft.md). Never renumber.</summary>
public enum RaftMessageType : byte
{
    RequestVote = 1,
    RequestVoteReply = 2,
    AppendEntries = 3,
    AppendEntriesReply = 4,
    InstallSnapshot = 5,
    InstallSnapshotReply = 6,
}

public abstract record RaftMessage
{
    private protected RaftMessage() { }

    public abstract RaftMessageType Type { get; }

    /// <summary>The sender's term.</summary>
    public abstract ulong Term { get; init; }
}

public sealed record RequestVote(ulong Term, string Candidate, ulong LastLogIndex, ulong LastLogTerm) : RaftMessage
{
    public override RaftMessageType Type => RaftMessageType.RequestVote;
}

public sealed record RequestVoteReply(ulong Term, bool Granted) : RaftMessage
{
    public override RaftMessageType Type => RaftMessageType.RequestVoteReply;
}

/// <summary>Replication and heartbeat. <see cref="LeaderHttp"/> lets followers redirect clients to the leader.</summary>
public sealed record AppendEntries(ulong Term, string Leader, string LeaderHttp, ulong PrevLogIndex, ulong PrevLogTerm,
    IReadOnlyList<RaftEntry> Entries, ulong LeaderCommit) : RaftMessage
{
    public override RaftMessageType Type => RaftMessageType.AppendEntries;
}

/// <summary><see cref="LastLogIndex"/> is the follower's last index, a hint that lets a leader skip back quickly on a mismatch.</summary>
public sealed record AppendEntriesReply(ulong Term, bool Success, ulong LastLogIndex) : RaftMessage
{
    public override RaftMessageType Type => RaftMessageType.AppendEntriesReply;
}

/// <summary>The leader's whole state at <see cref="LastIncludedIndex"/> (a <see cref="MetaSnapshotCodec"/> image), sent in one message.</summary>
public sealed record InstallSnapshot(ulong Term, string Leader, string LeaderHttp, ulong LastIncludedIndex, ulong LastIncludedTerm, byte[] State) : RaftMessage
{
    public override RaftMessageType Type => RaftMessageType.InstallSnapshot;
}

public sealed record InstallSnapshotReply(ulong Term) : RaftMessage
{
    public override RaftMessageType Type => RaftMessageType.InstallSnapshotReply;
}

/// <summary>
/// The body of a Raft frame: a type byte, then the fields in declaration order (integers little-endian, strings
/// and byte strings as a u32 length and the bytes, entries as index, term, kind, payload).
/// </summary>
public static class RaftMessageCodec
{
    public static byte[] Encode(RaftMessage message)
    {
        var w = new MetaBinaryWriter(64);
        w.Byte((byte)message.Type);
        switch (message)
        {
            case RequestVote m:
                w.UInt64(m.Term); w.String(m.Candidate); w.UInt64(m.LastLogIndex); w.UInt64(m.LastLogTerm);
                break;
            case RequestVoteReply m:
                w.UInt64(m.Term); w.Bool(m.Granted);
                break;
            case AppendEntries m:
                w.UInt64(m.Term); w.String(m.Leader); w.String(m.LeaderHttp); w.UInt64(m.PrevLogIndex); w.UInt64(m.PrevLogTerm);
                w.UInt64(m.LeaderCommit);
                w.Count(m.Entries.Count);
                foreach (var e in m.Entries) WriteEntry(w, e);
                break;
            case AppendEntriesReply m:
                w.UInt64(m.Term); w.Bool(m.Success); w.UInt64(m.LastLogIndex);
                break;
            case InstallSnapshot m:
                w.UInt64(m.Term); w.String(m.Leader); w.String(m.LeaderHttp); w.UInt64(m.LastIncludedIndex); w.UInt64(m.LastIncludedTerm);
                w.Bytes(m.State);
                break;
            case InstallSnapshotReply m:
                w.UInt64(m.Term);
                break;
            default:
                throw new ArgumentException($"unknown raft message {message.GetType().Name}", nameof(message));
        }
        return w.ToArray();
    }

    /// <summary>Decodes one message; <see cref="InvalidDataException"/> on anything malformed.</summary>
    public static RaftMessage Decode(ReadOnlySpan<byte> data)
    {
        var r = new MetaBinaryReader(data, "raft message");
        var type = (RaftMessageType)r.Byte();
        RaftMessage message = type switch
        {
            RaftMessageType.RequestVote => new RequestVote(r.UInt64(), r.String(), r.UInt64(), r.UInt64()),
            RaftMessageType.RequestVoteReply => new RequestVoteReply(r.UInt64(), r.Bool()),
            RaftMessageType.AppendEntries => ReadAppendEntries(ref r),
            RaftMessageType.AppendEntriesReply => new AppendEntriesReply(r.UInt64(), r.Bool(), r.UInt64()),
            RaftMessageType.InstallSnapshot => new InstallSnapshot(r.UInt64(), r.String(), r.String(), r.UInt64(), r.UInt64(), r.Bytes()),
            RaftMessageType.InstallSnapshotReply => new InstallSnapshotReply(r.UInt64()),
            _ => r.Fail<RaftMessage>($"unknown message type {(byte)type}"),
        };
        r.End();
        return message;
    }

    internal static void WriteEntry(MetaBinaryWriter w, RaftEntry e)
    {
        w.UInt64(e.Index);
        w.UInt64(e.Term);
        w.Byte((byte)e.Kind);
        w.Bytes(e.Payload);
    }

    internal static RaftEntry ReadEntry(ref MetaBinaryReader r)
    {
        ulong index = r.UInt64();
        ulong term = r.UInt64();
        var kind = (RaftEntryKind)r.Byte();
        if (kind is not (RaftEntryKind.NoOp or RaftEntryKind.Command)) r.Fail<int>($"unknown entry kind {(byte)kind}");
        return new RaftEntry(index, term, kind, r.Bytes());
    }

    private static AppendEntries ReadAppendEntries(ref MetaBinaryReader r)
    {
        ulong term = r.UInt64();
        string leader = r.String();
        string leaderHttp = r.String();
        ulong prevIndex = r.UInt64();
        ulong prevTerm = r.UInt64();
        ulong commit = r.UInt64();
        int n = r.Count(21);
        var entries = new RaftEntry[n];
        for (int i = 0; i < n; i++) entries[i] = ReadEntry(ref r);
        return new AppendEntries(term, leader, leaderHttp, prevIndex, prevTerm, entries, commit);
    }
}
