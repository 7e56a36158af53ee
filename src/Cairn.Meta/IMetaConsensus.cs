using Cairn.Meta.Raft;
using Cairn.Meta.Store;

namespace Cairn.Meta;

/// <summary>
/// What the meta API needs from the node's meta store: the state, who leads, and a way to commit changes.
/// A meta node's <see cref="RaftNode"/> is one; a `both` node's <see cref="SingleServerMeta"/> is the other.
/// </summary>
public interface IMetaConsensus : IMetaStore, IAsyncDisposable
{
    /// <summary>This node's Raft address.</summary>
    string Self { get; }

    /// <summary>This node's meta HTTP address.</summary>
    string SelfHttp { get; }

    MetaState State { get; }
    RaftRole Role { get; }

    /// <summary>The leader's Raft address, or "".</summary>
    string Leader { get; }

    /// <summary>The leader's meta HTTP address, or "".</summary>
    string LeaderHttp { get; }

    IReadOnlyList<string> Members { get; }
    bool IsJoined { get; }

    /// <summary>Whether meta and data nodes may be added (false on a single server).</summary>
    bool AcceptsMembers { get; }

    Task<MetaResult> BootstrapAsync(CancellationToken cancellationToken);

    ValueTask<MetaResult> ProposeAsync(MetaCommand command, CancellationToken cancellationToken);
}

/// <summary>
/// The meta API's view of a `both` node: a single server whose metadata is its local store. It leads itself,
/// reports itself as meta node 1 and data node 2, commits changes to the local store, and takes no other nodes.
/// </summary>
public sealed class SingleServerMeta(LocalMetaStore store, string self, string selfHttp, string dataHttp, string dataTcp) : IMetaConsensus
{
    public string Self => self;
    public string SelfHttp => selfHttp;
    public MetaState Current => State;

    public MetaState State => store.Current with
    {
        MetaNodes = [new NodeInfo(1, selfHttp, self)],
        DataNodes = [new NodeInfo(2, dataHttp, dataTcp)],
    };

    public RaftRole Role => RaftRole.Leader;
    public string Leader => self;
    public string LeaderHttp => selfHttp;
    public IReadOnlyList<string> Members => [self];
    public bool IsJoined => true;
    public bool AcceptsMembers => false;

    public Task<MetaResult> BootstrapAsync(CancellationToken cancellationToken) =>
        throw new InvalidOperationException("this node runs as `both`, a single server");

    public ValueTask<MetaResult> ProposeAsync(MetaCommand command, CancellationToken cancellationToken) => store.ExecuteAsync(command, cancellationToken);

    public ValueTask<MetaResult> ExecuteAsync(MetaCommand command, CancellationToken cancellationToken) => store.ExecuteAsync(command, cancellationToken);

    public Task<MetaState> WaitForIndexAsync(ulong index, CancellationToken cancellationToken) => store.WaitForIndexAsync(index, cancellationToken);

    /// <summary>The local store belongs to the data services, which close it.</summary>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
