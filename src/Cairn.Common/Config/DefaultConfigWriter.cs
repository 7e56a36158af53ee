using System.Globalization;
using System.Text;

namespace Cairn.Common.Config;

/// <summary>Prints a configuration as commented TOML: `cairn config` and the packaged files.</summary>
public static class DefaultConfigWriter
{
    public static string Write(CairnConfig config, NodeRole role)
    {
        var sb = new StringBuilder();
        sb.Append("# Cairn configuration (").Append(role.ToName()).Append(" role), printed by `cairn config`.\n");
        sb.Append("# Every key is shown with its default. Environment variables override the file:\n");
        sb.Append("# CAIRN_<SECTION>_<KEY>, upper case, dashes as underscores (e.g. CAIRN_HTTP_BIND_ADDRESS).\n");
        string? current = null;
        foreach (var key in ConfigSchema.Keys)
        {
            if ((key.Roles & role) == 0) continue;
            if (key.Section != current)
            {
                current = key.Section;
                if (current.Length > 0) sb.Append('\n').Append('[').Append(current).Append("]\n");
            }
            sb.Append('\n');
            sb.Append("  # ").Append(key.Doc).Append(" (").Append(key.EnvironmentName).Append(")\n");
            sb.Append("  ").Append(key.Name).Append(" = ").Append(Literal(key, key.Get(config))).Append('\n');
        }
        return sb.ToString();
    }

    public static string Literal(ConfigKey key, object value) => key.Kind switch
    {
        ConfigValueKind.String => Quote((string)value),
        ConfigValueKind.Boolean => (bool)value ? "true" : "false",
        ConfigValueKind.Integer or ConfigValueKind.Size => ((long)value).ToString(CultureInfo.InvariantCulture),
        ConfigValueKind.Duration => Quote(GoDuration.Format((TimeSpan)value)),
        ConfigValueKind.StringArray => "[" + string.Join(", ", ((IReadOnlyList<string>)value).Select(Quote)) + "]",
        _ => throw new ArgumentOutOfRangeException(nameof(key)),
    };

    private static string Quote(string s)
    {
        var sb = new StringBuilder("\"");
        foreach (var ch in s)
        {
            switch (ch)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\t': sb.Append("\\t"); break;
                case '\r': sb.Append("\\r"); break;
                default:
                    if (char.IsControl(ch)) sb.Append("\\u").Append(((int)ch).ToString("X4", CultureInfo.InvariantCulture));
                    else sb.Append(ch);
                    break;
            }
        }
        return sb.Append('"').ToString();
    }
}
