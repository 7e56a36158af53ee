using System.Collections;
using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Cairn.Common.Config;

/// <summary>
/// CAIRN_SECTION_KEY environment variables, resolved against the schema. They are layered over the
/// file, so they win. An unknown CAIRN_ name is a warning that names it.
/// </summary>
internal sealed class CairnEnvironmentConfigurationProvider(IDictionary environment, ConfigDiagnostics diagnostics) : ConfigurationProvider
{
    /// <summary>Which variable set each configuration path, for error messages.</summary>
    public Dictionary<string, string> Origins { get; } = new(StringComparer.OrdinalIgnoreCase);

    private readonly HashSet<string> _wholeArrays = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The items of an array key set whole by one variable (a comma list), or null. Such a variable
    /// replaces the file's array; an ordinal variable (_1) replaces just that item.
    /// </summary>
    public IReadOnlyList<string>? ArrayItems(string path)
    {
        if (!_wholeArrays.Contains(path)) return null;
        var prefix = path + ":";
        var items = new SortedDictionary<int, string>();
        foreach (var (key, value) in Data)
        {
            if (key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)
                && int.TryParse(key.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                items[index] = value ?? "";
        }
        return items.Values.ToArray();
    }

    public override void Load()
    {
        var names = new List<string>();
        foreach (DictionaryEntry entry in environment)
        {
            if (entry.Key is string name && name.StartsWith(ConfigSchema.EnvironmentPrefix, StringComparison.Ordinal))
                names.Add(name);
        }
        names.Sort(StringComparer.Ordinal);
        foreach (var name in names)
        {
            if (ConfigSchema.ReservedEnvironmentNames.Contains(name)) continue;
            var value = environment[name] as string ?? "";
            // As InfluxDB does with INFLUXDB_*: an empty variable is no override.
            if (value.Length == 0) continue;
            if (!ConfigSchema.TryResolveEnvironment(name, out var key, out var index))
            {
                diagnostics.Warnings.Add($"unknown environment variable {name} is ignored");
                continue;
            }
            var path = index is { } i ? key.Path + ":" + i.ToString(CultureInfo.InvariantCulture) : key.Path;
            if (key.Kind == ConfigValueKind.StringArray && index is null)
            {
                // A whole array in one variable: comma separated.
                var items = value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                for (int j = 0; j < items.Length; j++) Data[key.Path + ":" + j.ToString(CultureInfo.InvariantCulture)] = items[j];
                Origins[key.Path] = name;
                _wholeArrays.Add(key.Path);
                continue;
            }
            Data[path] = value;
            Origins[key.Path] = name;
        }
    }
}

internal sealed class CairnEnvironmentConfigurationSource(CairnEnvironmentConfigurationProvider provider) : IConfigurationSource
{
    public IConfigurationProvider Build(IConfigurationBuilder builder) => provider;
}
