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
          cairn config [--role meta|data|both]                print the default configuration
          cairn version                                      print version, commit, build date, runtime
          cairn license show FILE                            verify and print a licence
          cairn license issue --key PRIVATE.pem --licensee NAME --expires RFC3339
                              --max-data-nodes N --max-cores N
                              [--grace-start DURATION] [--grace-running DURATION] [--id ID]
                                                             sign and print a new licence

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

    private static int ConfigCommand(string[] args)
    {
        if (!CommandLine.TryParse(args, new HashSet<string> { "role" }, new HashSet<string>(), out var line, out var error) || line.Positional.Count > 0)
        {
            Console.Error.WriteLine("cairn config: " + (error ?? $"unexpected argument {line.Positional[0]}"));
            return 2;
        }
        var role = NodeRole.Both;
        if (line.Get("role") is { } roleText && !NodeRoleNames.TryParse(roleText, out role))
        {
            Console.Error.WriteLine($"cairn config: --role must be meta, data or both, not \"{roleText}\"");
            return 2;
        }
        var config = new CairnConfig();
        config.Node.Role = role;
        Console.Out.Write(DefaultConfigWriter.Write(config, role));
        return 0;
    }

}
