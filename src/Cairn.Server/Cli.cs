using System.Collections;
using Cairn.Common;
using Cairn.Common.Config;

namespace Cairn.Server;

/// <summary>The command words of `cairn`.</summary>
internal static class Cli
{
    public const string Usage = """
        Cairn: a clustered time-series database compatible with InfluxDB 1.x.

        Usage:
          cairn run [--config FILE] [--role meta|data|both]   serve the role(s)
          cairn config [--role meta|data|both] [--config FILE]
                                                             print the default configuration, or FILE
                                                             merged with CAIRN_* overrides
          cairn version                                      print version, commit, build date, runtime
          cairn license show FILE                            verify and print a licence
          cairn license issue --key PRIVATE.pem --licensee NAME --expires RFC3339
                              --max-data-nodes N --max-cores N
                              [--grace-start DURATION] [--grace-running DURATION] [--id ID]
                                                             sign and print a new licence
          cairn inspect export [--config FILE] [--datadir DIR] [--waldir DIR] [--database DB]
                               [--retention RP] [--out FILE] [--lponly]
                                                             print a stopped node's data as line protocol
          cairn ctl [-bind HOST:8091] [-auth-type none|basic|jwt] [-user U] [-pwd P] [-secret S]
                    COMMAND [ARGS]                           manage the cluster through a meta node,
                                                             as influxd-ctl does (cairn ctl help)

        Configuration: --config, else CAIRN_CONFIG_PATH, else /etc/cairn/cairn-meta.toml (meta role)
        or /etc/cairn/cairn-data.toml (data, both), else built-in defaults. CAIRN_<SECTION>_<KEY>
        environment variables override the file.
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }
        var rest = args.AsSpan(1).ToArray();
        switch (args[0])
        {
            case "run":
                return await RunCommand.ExecuteAsync(rest, Environment.GetEnvironmentVariables());
            case "config":
                return ConfigCommand(rest);
            case "version":
            case "--version":
            case "-version":
                Console.Out.Write(VersionText());
                return 0;
            case "license":
            case "licence":
                return LicenseCommand.Execute(rest);
            case "inspect":
                return await InspectCommand.ExecuteAsync(rest);
            case "ctl":
                return await Cairn.Meta.Ctl.CtlProgram.RunAsync(rest, CancellationToken.None);
            case "help":
            case "--help":
            case "-help":
            case "-h":
                Console.Out.WriteLine(Usage);
                return 0;
            default:
                Console.Error.WriteLine($"cairn: unknown command \"{args[0]}\"\n");
                Console.Error.WriteLine(Usage);
                return 2;
        }
    }

    public static string VersionText() =>
        $"""
        Cairn {BuildInfo.Version}
        commit: {BuildInfo.Commit}
        build date: {BuildInfo.BuildDate}
        runtime: {BuildInfo.Runtime}
        influxdb api: {BuildInfo.ServerVersion}

        """;

    /// <summary>
    /// `cairn config` prints the built-in defaults; with --config FILE it prints what that file
    /// means under the current environment (the file merged with CAIRN_* overrides), as
    /// `influxd config -config FILE` does.
    /// </summary>
    private static int ConfigCommand(string[] args)
    {
        if (!CommandLine.TryParse(args, new HashSet<string> { "role", "config" }, new HashSet<string>(), out var line, out var error) || line.Positional.Count > 0)
        {
            Console.Error.WriteLine("cairn config: " + (error ?? $"unexpected argument {line.Positional[0]}"));
            return 2;
        }
        NodeRole? role = null;
        if (line.Get("role") is { } roleText)
        {
            if (!NodeRoleNames.TryParse(roleText, out var parsed))
            {
                Console.Error.WriteLine($"cairn config: --role must be meta, data or both, not \"{roleText}\"");
                return 2;
            }
            role = parsed;
        }
        CairnConfig config;
        if (line.Get("config") is { } path)
        {
            if (!File.Exists(path))
            {
                Console.Error.WriteLine($"cairn config: config file {path} does not exist");
                return 1;
            }
            var loaded = ConfigLoader.Load(path, System.Environment.GetEnvironmentVariables());
            foreach (var warning in loaded.Diagnostics.Warnings) Console.Error.WriteLine("warning: " + warning);
            if (loaded.Diagnostics.Errors.Count > 0)
            {
                foreach (var e in loaded.Diagnostics.Errors) Console.Error.WriteLine("config error: " + e);
                return 1;
            }
            config = loaded.Config;
        }
        else
        {
            config = new CairnConfig();
            config.Node.Role = role ?? NodeRole.Both;
        }
        Console.Out.Write(DefaultConfigWriter.Write(config, role ?? config.Node.Role));
        return 0;
    }

}
