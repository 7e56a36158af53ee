using System.Collections;
using System.Net;

namespace Cairn.Meta.Ctl;

/// <summary>
/// Where `join` and `leave` look for the nodes of this host, as influxd-ctl does: a meta node's
/// HTTP API on localhost:8091 (GET /status answers with nodeType "meta") and a data node's RPC
/// port on localhost:8088 (a TCP connection is accepted). A meta node is registered under the
/// httpAddr its /status reports; a data node under this host's name and the probed port, since
/// its RPC port has nothing to ask. The CAIRN_CTL_LOCAL_META, CAIRN_CTL_LOCAL_DATA and
/// CAIRN_CTL_HOSTNAME environment variables move the probes (tests run nodes on free ports).
/// </summary>
internal sealed record LocalNodes(string MetaProbeAddress, string DataProbeAddress, string HostName)
{
    public static LocalNodes Default() => new("localhost:8091", "localhost:8088", Dns.GetHostName());

    public static LocalNodes FromEnvironment(IDictionary environment)
    {
        var defaults = Default();
        return new LocalNodes(
            environment["CAIRN_CTL_LOCAL_META"] as string is { Length: > 0 } meta ? meta : defaults.MetaProbeAddress,
            environment["CAIRN_CTL_LOCAL_DATA"] as string is { Length: > 0 } data ? data : defaults.DataProbeAddress,
            environment["CAIRN_CTL_HOSTNAME"] as string is { Length: > 0 } host ? host : defaults.HostName);
    }

    /// <summary>The address `join` and `leave` name the local meta node by before /status says otherwise.</summary>
    public string MetaAddress => HostName + ":" + Port(MetaProbeAddress);

    /// <summary>The TCP (RPC) address the local data node is added and removed under.</summary>
    public string DataAddress => HostName + ":" + Port(DataProbeAddress);

    private static string Port(string address) => address[(address.LastIndexOf(':') + 1)..];
}
