using System.Globalization;
using System.Net.Sockets;

namespace Cairn.Meta.Ctl;

// join and leave: the local meta and data nodes (see LocalNodes) added with /add-meta and
// /add-data, removed with /remove-data and /remove-meta.
internal sealed partial class CtlSession
{
    public async Task<int> JoinAsync(string[] args, CancellationToken ct)
    {
        const string usage = """
            Usage: cairn ctl [global flags] join [-v] [meta node HTTP address]
              Adds this host's meta node (found on localhost:8091) and data node (found on
              localhost:8088) to the cluster of the given meta node (default: -bind, localhost:8091).
              Naming this host's own unjoined meta node creates a new cluster.
              -v   explain what was not added and why
            """;
        var flags = new CtlFlags().Bool("v");
        if (ParseArguments(flags, args, usage, 0, 1, "") is { } stop) return stop;
        bool verbose = flags.IsSet("v");
        var target = flags.Positional.Count == 1 ? flags.Positional[0] : options.BindAddress;
        var local = console.Local;

        Line($"Joining meta node at {target}");
        var targetStatus = await Client.GetAsync(target, "/status", MetaApiJson.Default.MetaNodeStatus, ct).ConfigureAwait(false);
        if (targetStatus.Status is MetaCallStatus.Unreachable or MetaCallStatus.TimedOut or MetaCallStatus.Unauthorized) return Fail(targetStatus);
        if (!targetStatus.IsOk || targetStatus.Value!.NodeType != "meta") return Fail($"unable to determine if \"{target}\" is a meta node");
        bool creating = targetStatus.Value.Leader.Length == 0;

        Line($"Searching for meta node on {local.MetaAddress}...");
        Line($"Searching for data node on {local.DataAddress}...");
        Line("");

        NodeInfo? addedMeta = null;
        var localStatus = await Client.GetAsync(local.MetaProbeAddress, "/status", MetaApiJson.Default.MetaNodeStatus, ct).ConfigureAwait(false);
        if (localStatus.IsOk && localStatus.Value!.NodeType == "meta")
        {
            var metaAddr = Or(localStatus.Value.HttpAddr, local.MetaAddress);
            if (localStatus.Value.Leader.Length > 0)
            {
                if (verbose) Line($"Meta node {metaAddr} is already a member of a cluster (leader {localStatus.Value.Leader}); not added.\n");
            }
            else
            {
                var added = await Client.PostAsync(target, "/add-meta", [Field("addr", metaAddr)], MetaApiJson.Default.NodeInfo, ct).ConfigureAwait(false);
                if (added.IsOk) addedMeta = added.Value;
                else if (verbose) ExplainNotAdded("meta", metaAddr, target, added.Error, "8091");
            }
        }
        else if (verbose) ExplainNotAdded("meta", local.MetaAddress, target, null, "8091");

        NodeInfo? addedData = null;
        if (await AcceptsTcpAsync(local.DataProbeAddress, ct).ConfigureAwait(false))
        {
            var added = await Client.PostAsync(target, "/add-data", [Field("addr", local.DataAddress)], MetaApiJson.Default.NodeInfo, ct).ConfigureAwait(false);
            if (added.IsOk) addedData = added.Value;
            else if (verbose) ExplainNotAdded("data", local.DataAddress, target, added.Error, "8088");
        }
        else if (verbose) ExplainNotAdded("data", local.DataAddress, target, null, "8088");

        if (addedMeta is null && addedData is null)
            return Fail("failed to join cluster.  Run with -v to see more information");
        bool created = creating && addedMeta is not null;
        Line(created ? "Successfully created cluster" : "Successfully joined cluster");
        Line("");
        Line(addedMeta is null ? "  * No meta node added.  Run with -v to see more information" : $"  * Added meta node {addedMeta.Id} at {Or(addedMeta.Addr, local.MetaAddress)}");
        Line(addedData is null ? "  * No data node added.  Run with -v to see more information" : $"  * Added data node {addedData.Id} at {Or(addedData.TcpAddr, local.DataAddress)}");
        if (created)
        {
            Line("");
            Line("  To join additional nodes to this cluster, run the following command:");
            Line("");
            Line($"  cairn ctl join {Or(addedMeta!.Addr, target)}");
        }
        return 0;
    }

    public async Task<int> LeaveAsync(string[] args, CancellationToken ct)
    {
        const string usage = """
            Usage: cairn ctl [global flags] leave [-y]
              Removes this host's data node (found on localhost:8088, removed through the -bind meta
              node) and meta node (found on localhost:8091) from their cluster.
              -y   do not ask for confirmation
            """;
        var flags = new CtlFlags().Bool("y");
        if (ParseArguments(flags, args, usage, 0, 0, "") is { } stop) return stop;
        bool yes = flags.IsSet("y");
        var local = console.Local;
        bool failed = false;

        string? removedData = null;
        Line($"Searching for data node on {local.DataAddress}...");
        if (await AcceptsTcpAsync(local.DataProbeAddress, ct).ConfigureAwait(false))
        {
            var cluster = await Client.GetAsync(options.BindAddress, "/show-cluster", MetaApiJson.Default.ClusterNodes, ct).ConfigureAwait(false);
            var member = cluster.IsOk ? cluster.Value!.Data?.Find(n => n.TcpAddr == local.DataAddress || n.TcpAddr == local.DataProbeAddress) : null;
            if (!cluster.IsOk) failed = FailedWith(cluster);
            else if (member is null) Line($"  * Data node at {local.DataAddress} is not part of a cluster");
            else
            {
                if (!yes && !Confirm($"Remove data node {member.TcpAddr} from the cluster")) return Declined();
                var removed = await Client.PostAsync(options.BindAddress, "/remove-data", [Field("addr", member.TcpAddr)], ct).ConfigureAwait(false);
                if (!removed.IsOk) failed = FailedWith(removed);
                else
                {
                    removedData = member.TcpAddr;
                    Line($"Removed {member.TcpAddr} from the cluster");
                }
            }
        }
        else Line("  * No data node found.");

        string? removedMeta = null;
        Line($"Searching for meta node on {local.MetaAddress}...");
        var status = await Client.GetAsync(local.MetaProbeAddress, "/status", MetaApiJson.Default.MetaNodeStatus, ct).ConfigureAwait(false);
        if (status.IsOk && status.Value!.NodeType == "meta")
        {
            var metaAddr = Or(status.Value.HttpAddr, local.MetaAddress);
            if (status.Value.Leader.Length == 0) Line($"  * Meta node at {metaAddr} is not part of a cluster");
            else
            {
                if (!yes && !Confirm($"Remove meta node {metaAddr} from the cluster")) return Declined();
                var removed = await Client.PostAsync(local.MetaProbeAddress, "/remove-meta", [Field("httpAddr", metaAddr)], ct).ConfigureAwait(false);
                if (!removed.IsOk) failed = FailedWith(removed);
                else removedMeta = metaAddr;
            }
        }
        else Line("  * No meta node found.");

        if (removedData is null && removedMeta is null)
        {
            Line("No nodes removed from cluster.");
            return failed ? 1 : 0;
        }
        Line("");
        Line("Successfully left cluster");
        Line("");
        Line(removedData is null ? "  * No data node removed from cluster" : $"  * Removed data node {removedData} from cluster");
        Line(removedMeta is null ? "  * No meta node removed from cluster" : $"  * Removed meta node {removedMeta} from cluster");
        return failed ? 1 : 0;
    }

    /// <summary>Reports a failed call and goes on (leave tries both nodes); true for the caller's failure flag.</summary>
    private bool FailedWith<T>(MetaCall<T> call)
    {
        Fail(call);
        return true;
    }

    /// <summary>The -v explanation of a node `join` did not add: not found (reason null) or refused.</summary>
    private void ExplainNotAdded(string role, string address, string target, string? reason, string defaultPort)
    {
        if (reason is null) Line($"No {role} node found on {address}!");
        else
        {
            console.Error.Write($"Failed to add {role} node {address}!\n\n  Reason:\n\n    operation exited with error: {reason}\n");
        }
        Line("");
        Line($"  If a {role} node is running on this host, add it by hand:");
        Line("");
        Line($"  cairn ctl -bind {target} add-{role} <{role}Addr:port>");
        Line("");
        Line("  Common problems:");
        Line("");
        Line($"    * The {role} node listens on a port other than {defaultPort}");
        Line($"    * The {role} node is not running; check its log for startup errors");
        Line("");
    }

    /// <summary>True when something accepts a TCP connection at host:port within -timeout.</summary>
    private async Task<bool> AcceptsTcpAsync(string address, CancellationToken ct)
    {
        int colon = address.LastIndexOf(':');
        var host = address[..colon].Trim('[', ']');
        int port = int.Parse(address.AsSpan(colon + 1), CultureInfo.InvariantCulture);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(options.Timeout);
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(host, port, deadline.Token).ConfigureAwait(false);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return false;
        }
    }
}
