namespace Cairn.Meta.Store;

/// <summary>
/// Where meta commands are executed and meta state is read. <see cref="LocalMetaStore"/> keeps it on one
/// node; the Raft-replicated store will implement the same contract.
/// </summary>
public interface IMetaStore
{
    /// <summary>The latest state. Immutable: hold on to it for a consistent view.</summary>
    MetaState Current { get; }

    /// <summary>
    /// Makes <paramref name="command"/> durable and applies it. A refusal is a result, not an exception;
    /// exceptions mean the store could not persist the command.
    /// </summary>
    ValueTask<MetaResult> ExecuteAsync(MetaCommand command, CancellationToken cancellationToken);

    /// <summary>
    /// Completes with the first state whose <see cref="MetaState.Index"/> is greater than <paramref name="index"/>:
    /// a long-poll passes the index it already has and wakes on the next change.
    /// </summary>
    Task<MetaState> WaitForIndexAsync(ulong index, CancellationToken cancellationToken);
}
