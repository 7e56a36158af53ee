namespace Cairn.Meta.Ctl;

/// <summary>
/// `cairn ctl`: influxd-ctl's cluster commands as an HTTP client of the meta API. Exit code 0
/// on success, 1 on any failure; errors go to stderr as <c>&lt;command&gt;: &lt;message&gt;</c>.
/// </summary>
public static class CtlProgram
{
    public const string Usage = """
        Usage: cairn ctl [global flags] <command> [command flags] [arguments]

        Commands:
           add-meta <addr>               add a meta node by its HTTP address (host:8091)
           add-data <addr>               add a data node by its TCP address (host:8088)
           remove-meta [-force] [-tcpAddr addr] [-y] <addr>
                                         remove a meta node (HTTP address)
           remove-data [-force] [-y] <addr>
                                         remove a data node (TCP address)
           update-data <old> <new>       change a data node's TCP address, keeping its id and shards
           join [-v] [addr]              add this host's meta and data nodes to the cluster of the
                                         meta node at addr (default localhost:8091)
           leave [-y]                    remove this host's data and meta nodes from their cluster
           show                          list the cluster's nodes and the Raft status
           show-shards [-v]              list the shards and their owners
           truncate-shards [-delay d]    end the hot shard groups now + delay (default 1m0s)
           token [-exp d]                print a signed JWT for -auth-type jwt (default -exp 1m0s)
           help                          print this text

        Global flags (one or two dashes, before the command):
          -bind host:port        HTTP address of a meta node (default localhost:8091)
          -bind-tls              use HTTPS to the meta node
          -k                     skip certificate verification (with -bind-tls)
          -auth-type type        none, basic or jwt (default none)
          -user name             user name (basic, jwt)
          -pwd password          password (basic)
          -secret secret         the meta nodes' shared secret (jwt)
          -timeout duration      deadline of each request to the meta API (default 10s)
          -config path           accepted for influxd-ctl compatibility; not read
        """;

    /// <summary>Runs `cairn ctl` on the process's standard streams.</summary>
    public static Task<int> RunAsync(string[] args, CancellationToken ct) => RunAsync(args, CtlConsole.System(), ct);

    internal static async Task<int> RunAsync(string[] args, CtlConsole console, CancellationToken ct)
    {
        if (!CtlOptions.TryParse(args, out var options, out var command, out var commandArgs, out var help, out var error))
        {
            console.Error.Write(error + "\nRun 'cairn ctl help' for usage.\n");
            return 1;
        }
        if (command is null or "help" || help)
        {
            console.Output.Write(Usage + "\n");
            return 0;
        }
        using var session = new CtlSession(command, options, console);
        switch (command)
        {
            case "add-meta": return await session.AddMetaAsync(commandArgs, ct).ConfigureAwait(false);
            case "add-data": return await session.AddDataAsync(commandArgs, ct).ConfigureAwait(false);
            case "remove-meta": return await session.RemoveMetaAsync(commandArgs, ct).ConfigureAwait(false);
            case "remove-data": return await session.RemoveDataAsync(commandArgs, ct).ConfigureAwait(false);
            case "update-data": return await session.UpdateDataAsync(commandArgs, ct).ConfigureAwait(false);
            case "join": return await session.JoinAsync(commandArgs, ct).ConfigureAwait(false);
            case "leave": return await session.LeaveAsync(commandArgs, ct).ConfigureAwait(false);
            case "show": return await session.ShowAsync(commandArgs, ct).ConfigureAwait(false);
            case "show-shards": return await session.ShowShardsAsync(commandArgs, ct).ConfigureAwait(false);
            case "truncate-shards": return await session.TruncateShardsAsync(commandArgs, ct).ConfigureAwait(false);
            case "token": return session.Token(commandArgs);
            default:
                console.Error.Write($"unknown command \"{command}\"\nRun 'cairn ctl help' for usage.\n");
                return 1;
        }
    }
}
