namespace Cairn.Common.Net.Rpc;

/// <summary>The peer broke the framing; the connection cannot continue and is closed.</summary>
internal sealed class RpcProtocolException(string message) : Exception(message);
