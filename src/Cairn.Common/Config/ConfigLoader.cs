using System.Collections;
using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Cairn.Common.Config;

/// <summary>The configuration a process runs with, where it came from, and what was wrong with it.</summary>
public sealed class LoadedConfig
{
    public required CairnConfig Config { get; init; }
    /// <summary>The file read, or null when built-in defaults are used.</summary>
    public required string? FilePath { get; init; }
    public required ConfigDiagnostics Diagnostics { get; init; }
    /// <summary>True when a CAIRN_ENTERPRISE_LICENSE_* variable is set.</summary>
    public required bool LicenseFromEnvironment { get; init; }

    /// <summary>No file and no licence in the environment: the zero-config run, which may use the development licence.</summary>
    public bool IsZeroConfig => FilePath is null && !LicenseFromEnvironment;
}

public static class ConfigLoader
{
    public const string ConfigPathVariable = "CAIRN_CONFIG_PATH";
    public const string MetaConfigFile = "/etc/cairn/cairn-meta.toml";
    public const string DataConfigFile = "/etc/cairn/cairn-data.toml";

    /// <summary>
    /// Finds the file to read: --config, then CAIRN_CONFIG_PATH, then the packaged file of the role.
    /// An explicit path that does not exist is an error; a missing packaged file means defaults.
    /// </summary>
    public static string? Locate(string? flagPath, NodeRole role, IDictionary environment, ConfigDiagnostics diagnostics, Func<string, bool>? exists = null)
    {
        exists ??= File.Exists;
        if (!string.IsNullOrEmpty(flagPath))
        {
            if (exists(flagPath)) return flagPath;
            diagnostics.Errors.Add($"config file {flagPath} (from --config) does not exist");
            return null;
        }
        if (environment[ConfigPathVariable] is string envPath && envPath.Length > 0)
        {
            if (exists(envPath)) return envPath;
            diagnostics.Errors.Add($"config file {envPath} (from {ConfigPathVariable}) does not exist");
            return null;
        }
        var packaged = role == NodeRole.Meta ? MetaConfigFile : DataConfigFile;
        return exists(packaged) ? packaged : null;
    }

    /// <summary>Reads the file (if any) under the environment and binds the result to typed options.</summary>
    public static LoadedConfig Load(string? filePath, IDictionary environment)
    {
        var diagnostics = new ConfigDiagnostics();
        var builder = new ConfigurationBuilder();
        if (filePath is not null)
        {
            string text;
            try { text = File.ReadAllText(filePath); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                diagnostics.Errors.Add($"config file {filePath} cannot be read: {e.Message}");
                text = "";
            }
            builder.Add(new TomlConfigurationSource(text, filePath, diagnostics));
        }
        var env = new CairnEnvironmentConfigurationProvider(environment, diagnostics);
        builder.Add(new CairnEnvironmentConfigurationSource(env));
        var configuration = builder.Build();

        var config = Bind(configuration, env, diagnostics);
        bool licenseFromEnv = IsSet(environment, ConfigSchema.Find("enterprise", "license-key")!.EnvironmentName)
            || IsSet(environment, ConfigSchema.Find("enterprise", "license-path")!.EnvironmentName);
        return new LoadedConfig { Config = config, FilePath = filePath, Diagnostics = diagnostics, LicenseFromEnvironment = licenseFromEnv };
    }

    /// <summary>Parses TOML text alone (no environment), for tests and `cairn config` round trips.</summary>
    public static LoadedConfig LoadText(string tomlText)
    {
        var diagnostics = new ConfigDiagnostics();
        var configuration = new ConfigurationBuilder().Add(new TomlConfigurationSource(tomlText, "<text>", diagnostics)).Build();
        var config = Bind(configuration, null, diagnostics);
        return new LoadedConfig { Config = config, FilePath = null, Diagnostics = diagnostics, LicenseFromEnvironment = false };
    }

    private static bool IsSet(IDictionary environment, string name) => environment[name] is string s && s.Length > 0;

    /// <summary>Binds every schema key through its typed setter: no reflection, one error per bad value.</summary>
    private static CairnConfig Bind(IConfiguration configuration, CairnEnvironmentConfigurationProvider? env, ConfigDiagnostics diagnostics)
    {
        var config = new CairnConfig();
        foreach (var key in ConfigSchema.Keys)
        {
            string origin = env is not null && env.Origins.TryGetValue(key.Path, out var variable) ? $" (from {variable})" : "";
            if (key.Kind == ConfigValueKind.StringArray)
            {
                if (env?.ArrayItems(key.Path) is { } fromEnvironment)
                {
                    key.Set(config, fromEnvironment.ToArray());
                    continue;
                }
                var section = configuration.GetSection(key.Path);
                var children = section.GetChildren().ToList();
                if (children.Count == 0) continue;
                var items = children
                    .OrderBy(c => int.TryParse(c.Key, NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : int.MaxValue)
                    .Select(c => c.Value ?? "").ToArray();
                key.Set(config, items);
                continue;
            }
            var raw = configuration[key.Path];
            if (raw is null) continue;
            if (!TryConvert(key.Kind, raw, out var value, out var problem) || (problem = key.Validate?.Invoke(value!)) is not null)
            {
                diagnostics.Errors.Add($"{key.Display} = \"{raw}\"{origin}: {problem}");
                continue;
            }
            key.Set(config, value!);
        }
        return config;
    }

    private static bool TryConvert(ConfigValueKind kind, string raw, out object? value, out string? problem)
    {
        problem = null;
        value = null;
        switch (kind)
        {
            case ConfigValueKind.String:
                value = raw;
                return true;
            case ConfigValueKind.Boolean:
                if (bool.TryParse(raw.Trim(), out var b)) { value = b; return true; }
                problem = "expected true or false";
                return false;
            case ConfigValueKind.Integer:
                if (long.TryParse(raw.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)) { value = l; return true; }
                problem = "expected an integer";
                return false;
            case ConfigValueKind.Size:
                if (ByteSize.TryParse(raw, out var size)) { value = size; return true; }
                problem = "expected a size such as 1073741824 or \"1g\"";
                return false;
            case ConfigValueKind.Duration:
                if (GoDuration.TryParse(raw, out var d)) { value = d; return true; }
                problem = "expected a duration such as \"10s\", \"1m0s\" or \"500ms\"";
                return false;
            default:
                problem = "unsupported kind";
                return false;
        }
    }
}
