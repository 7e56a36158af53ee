namespace Cairn.Server;

/// <summary>
/// Flags after the command word. Accepts "--name value", "--name=value", and influxd's single-dash
/// "-name value". Boolean flags take no value.
/// </summary>
internal sealed class CommandLine
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);

    public List<string> Positional { get; } = [];

    public static bool TryParse(IReadOnlyList<string> args, IReadOnlySet<string> valueFlags, IReadOnlySet<string> boolFlags, out CommandLine line, out string? error)
    {
        line = new CommandLine();
        error = null;
        for (int i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg.Length < 2 || arg[0] != '-')
            {
                line.Positional.Add(arg);
                continue;
            }
            var name = arg.TrimStart('-');
            string? value = null;
            int eq = name.IndexOf('=');
            if (eq >= 0) { value = name[(eq + 1)..]; name = name[..eq]; }
            if (boolFlags.Contains(name))
            {
                line._values[name] = value ?? "true";
                continue;
            }
            if (!valueFlags.Contains(name))
            {
                error = $"unknown flag {arg}";
                return false;
            }
            if (value is null)
            {
                if (i + 1 >= args.Count) { error = $"flag {arg} needs a value"; return false; }
                value = args[++i];
            }
            line._values[name] = value;
        }
        return true;
    }

    public string? Get(string name) => _values.GetValueOrDefault(name);

    public bool Has(string name) => _values.ContainsKey(name);
}
