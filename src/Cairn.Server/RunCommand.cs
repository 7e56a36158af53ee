using System.Collections;
using Cairn.Common;
using Cairn.Common.Config;
using Cairn.Common.Logging;
using Cairn.Meta.Licensing;
using NLog;

namespace Cairn.Server;

/// <summary>
/// `cairn run`: read the configuration, check the licence, then hand over to <see cref="Node"/>.
/// Any configuration or licence error stops here with exit code 1, before anything listens.
/// </summary>
internal static class RunCommand
{
    private static readonly Logger Log = LogManager.GetLogger("run");

    public static async Task<int> ExecuteAsync(string[] args, IDictionary environment)
    {
        LogSetup.Configure("logfmt", "info");
        if (!CommandLine.TryParse(args, new HashSet<string> { "config", "role" }, new HashSet<string>(), out var line, out var error)
            || line.Positional.Count > 0)
        {
            Log.Error("cairn run: {0}", error ?? $"unexpected argument {line.Positional[0]}");
            return Exit(1);
        }

        NodeRole? flagRole = null;
        if (line.Get("role") is { } roleText)
        {
            if (!NodeRoleNames.TryParse(roleText, out var parsed))
            {
                Log.Error("cairn run: --role must be meta, data or both, not \"{0}\"", roleText);
                return Exit(1);
            }
            flagRole = parsed;
        }
        var roleForSearch = flagRole
            ?? (NodeRoleNames.TryParse(environment[ConfigSchema.Find("node", "role")!.EnvironmentName] as string, out var envRole) ? envRole : NodeRole.Both);

        var locate = new ConfigDiagnostics();
        var path = ConfigLoader.Locate(line.Get("config"), roleForSearch, environment, locate);
        if (locate.Errors.Count > 0) return ConfigFailed(locate.Errors);

        var loaded = ConfigLoader.Load(path, environment);
        LogSetup.Reconfigure(loaded.Config.Logging.Format, loaded.Config.Logging.Level);
        foreach (var warning in loaded.Diagnostics.Warnings) Log.Warn(warning);
        if (loaded.Diagnostics.Errors.Count > 0) return ConfigFailed(loaded.Diagnostics.Errors);

        var role = flagRole ?? loaded.Config.Node.Role;
        Log.Info("Cairn {0} (commit {1}) starting as {2}; config {3}", BuildInfo.Version, BuildInfo.Commit, role.ToName(), path ?? "built-in defaults");

        var license = LicenseLoader.Load(loaded.Config.Enterprise, loaded.IsZeroConfig);
        if (!license.Ok)
        {
            Log.Error(license.Error!);
            return Exit(1);
        }
        Log.Info("using {0} ({1}), expires {2}, max data nodes {3}, max cores {4}",
            license.License!.Describe(), license.Source.ToName(), LicenseCodec.FormatTime(license.License.Expires),
            license.License.MaxDataNodes, license.License.MaxCores);

        var state = new LicenseState(license.License, license.Source, TimeProvider.System);
        var node = new Node(role, loaded, environment, state);
        int code;
        try { code = await node.RunAsync(); }
        catch (Exception e)
        {
            Log.Fatal(e, "cairn stopped on an unexpected error");
            code = 1;
        }
        return Exit(code);
    }

    private static int ConfigFailed(List<string> errors)
    {
        foreach (var e in errors) Log.Error("config error: {0}", e);
        Log.Error("configuration is invalid; nothing was started");
        return Exit(1);
    }

    private static int Exit(int code)
    {
        LogSetup.Shutdown();
        return code;
    }
}
