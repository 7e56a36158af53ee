namespace Cairn.Meta.Store;

/// <summary>The meta log could not be restored after a failed write; the store refuses further commands until reopened.</summary>
public sealed class MetaLogFaultedException(string message, Exception inner) : IOException(message, inner);
