using Cairn.Common.Config;

namespace Cairn.Meta.Ctl;

/// <summary>How `cairn ctl` authenticates to the meta API.</summary>
internal enum CtlAuthType
{
    None,
    Basic,
    Jwt,
}

/// <summary>
/// influxd-ctl's global flags, given before the command word:
/// <c>-bind host:port -bind-tls -k -config path -auth-type none|basic|jwt -user -pwd -secret -timeout</c>.
/// </summary>
internal sealed class CtlOptions
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    public string BindAddress { get; init; } = "localhost:8091";
    public bool BindTls { get; init; }
    public bool SkipTlsVerify { get; init; }
    public string? ConfigPath { get; init; }
    public CtlAuthType AuthType { get; init; }
    public string User { get; init; } = "";
    public string Password { get; init; } = "";
    public string Secret { get; init; } = "";
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    public string Scheme => BindTls ? "https" : "http";

    /// <summary>
    /// Parses the global flags; <paramref name="command"/> is the command word (null when none
    /// was given) and <paramref name="commandArgs"/> what follows it.
    /// </summary>
    public static bool TryParse(IReadOnlyList<string> args, out CtlOptions options, out string? command, out string[] commandArgs, out bool helpRequested, out string? error)
    {
        options = new CtlOptions();
        command = null;
        commandArgs = [];
        var flags = new CtlFlags()
            .Value("bind").Bool("bind-tls").Bool("k").Value("config")
            .Value("auth-type").Value("user").Value("pwd").Value("secret").Value("timeout");
        if (!flags.TryParse(args, stopAtFirstPositional: true, out error))
        {
            helpRequested = false;
            return false;
        }
        helpRequested = flags.HelpRequested;
        if (flags.Positional.Count > 0)
        {
            command = flags.Positional[0];
            commandArgs = flags.Rest;
        }

        var authText = flags.Get("auth-type", "none");
        CtlAuthType auth;
        switch (authText.ToLowerInvariant())
        {
            case "none": auth = CtlAuthType.None; break;
            case "basic": auth = CtlAuthType.Basic; break;
            case "jwt": auth = CtlAuthType.Jwt; break;
            default:
                error = $"invalid -auth-type: {authText} (want none, basic or jwt)";
                return false;
        }
        if (auth == CtlAuthType.Jwt && flags.Get("secret", "").Length == 0)
        {
            error = "-secret is required with -auth-type jwt";
            return false;
        }
        var timeout = DefaultTimeout;
        if (flags.Get("timeout") is { } timeoutText && (!GoDuration.TryParse(timeoutText, out timeout) || timeout <= TimeSpan.Zero))
        {
            error = $"invalid value \"{timeoutText}\" for flag -timeout: want a positive duration such as 10s or 1m30s";
            return false;
        }
        var bind = flags.Get("bind", "localhost:8091");
        if (!IsHostPort(bind))
        {
            error = $"invalid -bind \"{bind}\": want host:port";
            return false;
        }
        options = new CtlOptions
        {
            BindAddress = bind,
            BindTls = flags.IsSet("bind-tls"),
            SkipTlsVerify = flags.IsSet("k"),
            ConfigPath = flags.Get("config"),
            AuthType = auth,
            User = flags.Get("user", ""),
            Password = flags.Get("pwd", ""),
            Secret = flags.Get("secret", ""),
            Timeout = timeout,
        };
        return true;
    }

    /// <summary>host:port with a port in 1..65535; the host may be a bracketed IPv6 literal.</summary>
    public static bool IsHostPort(string text)
    {
        int colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1) return false;
        return int.TryParse(text.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port)
            && port is > 0 and <= 65535;
    }
}
