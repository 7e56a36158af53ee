namespace Cairn.Common.Net;

/// <summary>A TLS setting that cannot be used; the message names the key and, for files, the path.</summary>
public sealed class TlsConfigurationException(string message, Exception? inner = null) : Exception(message, inner);
