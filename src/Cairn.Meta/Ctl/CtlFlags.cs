namespace Cairn.Meta.Ctl;

/// <summary>
/// Flags parsed the way Go's <c>flag</c> package parses influxd-ctl's: <c>-name value</c>,
/// <c>-name=value</c>, a bare <c>-name</c> for a boolean, one or two leading dashes alike, and
/// <c>--</c> ending the flags. The global flag set stops at the first word that is not a flag (the
/// command); a command's flag set also takes flags after its arguments.
/// </summary>
internal sealed class CtlFlags
{
    private readonly Dictionary<string, bool> _isBool = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public List<string> Positional { get; } = [];

    /// <summary>The arguments after the first positional word, when parsing stopped there.</summary>
    public string[] Rest { get; private set; } = [];

    /// <summary>True when -h, -help or --help was given.</summary>
    public bool HelpRequested { get; private set; }

    public CtlFlags Value(string name)
    {
        _isBool[name] = false;
        return this;
    }

    public CtlFlags Bool(string name)
    {
        _isBool[name] = true;
        return this;
    }

    /// <summary>
    /// Parses <paramref name="args"/>. With <paramref name="stopAtFirstPositional"/> the first word
    /// that is not a flag lands in <see cref="Positional"/> and everything after it in <see cref="Rest"/>.
    /// </summary>
    public bool TryParse(IReadOnlyList<string> args, bool stopAtFirstPositional, out string? error)
    {
        error = null;
        for (int i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "--")
            {
                for (int j = i + 1; j < args.Count; j++) Positional.Add(args[j]);
                return true;
            }
            if (arg.Length < 2 || arg[0] != '-')
            {
                Positional.Add(arg);
                if (stopAtFirstPositional)
                {
                    Rest = [.. args.Skip(i + 1)];
                    return true;
                }
                continue;
            }
            var name = arg[1] == '-' ? arg[2..] : arg[1..];
            if (name.Length == 0 || name[0] == '-' || name[0] == '=')
            {
                error = $"bad flag syntax: {arg}";
                return false;
            }
            string? value = null;
            int eq = name.IndexOf('=');
            if (eq >= 0)
            {
                value = name[(eq + 1)..];
                name = name[..eq];
            }
            if (!_isBool.TryGetValue(name, out var isBool))
            {
                if (name is "h" or "help")
                {
                    HelpRequested = true;
                    continue;
                }
                error = $"flag provided but not defined: -{name}";
                return false;
            }
            if (isBool)
            {
                if (value is null) value = "true";
                else if (!TryParseGoBool(value, out var parsed))
                {
                    error = $"invalid boolean value \"{value}\" for -{name}: parse error";
                    return false;
                }
                else value = parsed ? "true" : "false";
            }
            else if (value is null)
            {
                if (i + 1 >= args.Count)
                {
                    error = $"flag needs an argument: -{name}";
                    return false;
                }
                value = args[++i];
            }
            _values[name] = value;
        }
        return true;
    }

    public string? Get(string name) => _values.GetValueOrDefault(name);

    public string Get(string name, string fallback) => _values.GetValueOrDefault(name) ?? fallback;

    public bool IsSet(string name) => _values.GetValueOrDefault(name) == "true";

    /// <summary>The spellings Go's strconv.ParseBool accepts.</summary>
    private static bool TryParseGoBool(string text, out bool value)
    {
        switch (text)
        {
            case "1" or "t" or "T" or "true" or "TRUE" or "True":
                value = true;
                return true;
            case "0" or "f" or "F" or "false" or "FALSE" or "False":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }
}
