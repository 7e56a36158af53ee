using Cairn.Common.Config;

namespace Cairn.Meta.Ctl;

// add-meta, add-data, remove-meta, remove-data, update-data, show, token.
internal sealed partial class CtlSession
{
    public async Task<int> AddMetaAsync(string[] args, CancellationToken ct)
    {
        const string usage = "Usage: cairn ctl [global flags] add-meta <meta node HTTP address, host:8091>";
        var flags = new CtlFlags();
        if (ParseArguments(flags, args, usage, 1, 1, "the meta node's HTTP address is required") is { } stop) return stop;
        var addr = flags.Positional[0];
        var call = await Client.PostAsync(options.BindAddress, "/add-meta", [Field("addr", addr)], MetaApiJson.Default.NodeInfo, ct).ConfigureAwait(false);
        if (!call.IsOk) return Fail(call);
        Line($"Added meta node {call.Value!.Id} at {Or(call.Value.Addr, addr)}");
        return 0;
    }

    public async Task<int> AddDataAsync(string[] args, CancellationToken ct)
    {
        const string usage = "Usage: cairn ctl [global flags] add-data <data node TCP address, host:8088>";
        var flags = new CtlFlags();
        if (ParseArguments(flags, args, usage, 1, 1, "the data node's TCP address is required") is { } stop) return stop;
        var addr = flags.Positional[0];
        var call = await Client.PostAsync(options.BindAddress, "/add-data", [Field("addr", addr)], MetaApiJson.Default.NodeInfo, ct).ConfigureAwait(false);
        if (!call.IsOk) return Fail(call);
        Line($"Added data node {call.Value!.Id} at {Or(call.Value.TcpAddr, addr)}");
        return 0;
    }

    public async Task<int> RemoveMetaAsync(string[] args, CancellationToken ct)
    {
        const string usage = """
            Usage: cairn ctl [global flags] remove-meta [-force] [-tcpAddr <raft address>] [-y] <meta node HTTP address>
              -force     remove a meta node that is down and will not come back (needs -tcpAddr)
              -tcpAddr   the node's Raft address (host:8089)
              -y         do not ask for confirmation
            """;
        var flags = new CtlFlags().Bool("force").Value("tcpAddr").Bool("y");
        if (ParseArguments(flags, args, usage, 1, 1, "the meta node's HTTP address is required") is { } stop) return stop;
        var addr = flags.Positional[0];
        bool force = flags.IsSet("force");
        var tcpAddr = flags.Get("tcpAddr", "");
        if (force && tcpAddr.Length == 0) return Fail("-tcpAddr is required with -force");
        if (tcpAddr.Length > 0 && !CtlOptions.IsHostPort(tcpAddr)) return Fail($"invalid -tcpAddr \"{tcpAddr}\": want host:port");
        if (!flags.IsSet("y"))
        {
            if (!Confirm($"{(force ? "Force remove" : "Remove")} {addr} from the cluster")) return Declined();
            Line("");
        }
        var form = new List<KeyValuePair<string, string>> { Field("httpAddr", addr) };
        if (tcpAddr.Length > 0) form.Add(Field("tcpAddr", tcpAddr));
        if (force) form.Add(Field("force", "true"));
        var call = await Client.PostAsync(options.BindAddress, "/remove-meta", form, ct).ConfigureAwait(false);
        if (!call.IsOk) return Fail(call);
        Line($"Removed meta node at {addr}");
        return 0;
    }

    public async Task<int> RemoveDataAsync(string[] args, CancellationToken ct)
    {
        const string usage = """
            Usage: cairn ctl [global flags] remove-data [-force] [-y] <data node TCP address>
              -force   remove a data node that is down
              -y       do not ask for confirmation
            """;
        var flags = new CtlFlags().Bool("force").Bool("y");
        if (ParseArguments(flags, args, usage, 1, 1, "the data node's TCP address is required") is { } stop) return stop;
        var addr = flags.Positional[0];
        bool force = flags.IsSet("force");
        if (!flags.IsSet("y"))
        {
            if (!Confirm($"{(force ? "Force remove" : "Remove")} {addr} from the cluster")) return Declined();
            Line("");
        }
        var form = new List<KeyValuePair<string, string>> { Field("addr", addr) };
        if (force) form.Add(Field("force", "true"));
        var call = await Client.PostAsync(options.BindAddress, "/remove-data", form, ct).ConfigureAwait(false);
        if (!call.IsOk) return Fail(call);
        Line($"Removed data node at {addr}");
        return 0;
    }

    public async Task<int> UpdateDataAsync(string[] args, CancellationToken ct)
    {
        const string usage = "Usage: cairn ctl [global flags] update-data <old TCP address> <new TCP address>";
        var flags = new CtlFlags();
        if (ParseArguments(flags, args, usage, 2, 2, "the old and the new TCP address are required") is { } stop) return stop;
        var (oldAddr, newAddr) = (flags.Positional[0], flags.Positional[1]);
        var call = await Client.PostAsync(options.BindAddress, "/update-data", [Field("oldAddr", oldAddr), Field("newAddr", newAddr)], MetaApiJson.Default.NodeInfo, ct).ConfigureAwait(false);
        if (!call.IsOk) return Fail(call);
        Line($"updated data node {call.Value!.Id} to {Or(call.Value.TcpAddr, newAddr)}");
        return 0;
    }

    public async Task<int> ShowAsync(string[] args, CancellationToken ct)
    {
        const string usage = "Usage: cairn ctl [global flags] show";
        if (ParseArguments(new CtlFlags(), args, usage, 0, 0, "") is { } stop) return stop;
        var cluster = await Client.GetAsync(options.BindAddress, "/show-cluster", MetaApiJson.Default.ClusterNodes, ct).ConfigureAwait(false);
        if (!cluster.IsOk) return Fail(cluster);
        var status = await Client.GetAsync(options.BindAddress, "/status", MetaApiJson.Default.MetaNodeStatus, ct).ConfigureAwait(false);
        if (!status.IsOk) return Fail(status);
        ClusterListing.Write(console.Output, cluster.Value!, status.Value!);
        return 0;
    }

    public int Token(string[] args)
    {
        const string usage = """
            Usage: cairn ctl -auth-type jwt -user <name> -secret <shared secret> token [-exp <duration>]
              -exp   how long the token is valid (default 1m0s)
            """;
        var flags = new CtlFlags().Value("exp");
        if (ParseArguments(flags, args, usage, 0, 0, "") is { } stop) return stop;
        var lifetime = BearerToken.DefaultLifetime;
        if (flags.Get("exp") is { } expText && (!GoDuration.TryParse(expText, out lifetime) || lifetime <= TimeSpan.Zero))
            return Fail($"invalid -exp \"{expText}\": want a positive duration such as 1m or 24h");
        if (options.AuthType != CtlAuthType.Jwt) return Fail("tokens can only be created when using bearer authentication");
        Line(BearerToken.Create(options.User, options.Secret, console.Time.GetUtcNow() + lifetime));
        return 0;
    }

    private static string Or(string value, string fallback) => value.Length > 0 ? value : fallback;
}
