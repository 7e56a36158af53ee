namespace Cairn.Meta.Ctl;

/// <summary>
/// One `cairn ctl` command: its name (the prefix of every error), the global options, the
/// console, and the meta API client. The commands live in the partial files by concern.
/// </summary>
internal sealed partial class CtlSession(string command, CtlOptions options, CtlConsole console) : IDisposable
{
    private MetaApiClient? _client;

    private MetaApiClient Client => _client ??= new MetaApiClient(options, console.Time);

    public void Dispose() => _client?.Dispose();

    private void Line(string text) => console.Output.Write(text + "\n");

    /// <summary>Prints <c>&lt;command&gt;: &lt;message&gt;</c> on stderr; returns the failure exit code.</summary>
    private int Fail(string message)
    {
        console.Error.Write(command + ": " + message + "\n");
        return 1;
    }

    /// <summary>
    /// Prints a failed call in influxd-ctl's words: a credential problem as <c>Error: &lt;server error&gt;.</c>,
    /// an unreachable node as the connection error, a timeout as <c>operation timed out with error: …</c>,
    /// anything the server refused as <c>operation exited with error: &lt;server error&gt;</c>.
    /// </summary>
    private int Fail<T>(MetaCall<T> call)
    {
        switch (call.Status)
        {
            case MetaCallStatus.Unauthorized:
                console.Error.Write("Error: " + call.Error.TrimEnd('.') + ".\n");
                return 1;
            case MetaCallStatus.Unreachable:
                return Fail(call.Error);
            case MetaCallStatus.TimedOut:
                return Fail("operation timed out with error: " + call.Error);
            default:
                return Fail("operation exited with error: " + call.Error);
        }
    }

    /// <summary>
    /// Parses a command's flags and checks the argument count. Returns the exit code when the
    /// command must stop here (0 after -h, 1 after an error), else null.
    /// </summary>
    private int? ParseArguments(CtlFlags flags, string[] args, string usage, int minArgs, int maxArgs, string missing)
    {
        if (!flags.TryParse(args, stopAtFirstPositional: false, out var error))
        {
            Fail(error!);
            console.Error.Write(usage + "\n");
            return 1;
        }
        if (flags.HelpRequested)
        {
            Line(usage);
            return 0;
        }
        if (flags.Positional.Count < minArgs)
        {
            Fail(missing);
            console.Error.Write(usage + "\n");
            return 1;
        }
        if (flags.Positional.Count > maxArgs)
        {
            Fail($"unexpected argument \"{flags.Positional[maxArgs]}\"");
            console.Error.Write(usage + "\n");
            return 1;
        }
        foreach (var address in flags.Positional)
        {
            if (!CtlOptions.IsHostPort(address)) return Fail($"invalid address \"{address}\": want host:port");
        }
        return null;
    }

    /// <summary>Asks <paramref name="question"/> with <c>[y/N]</c>; only y or Y confirms.</summary>
    private bool Confirm(string question)
    {
        console.Output.Write(question + " [y/N]: ");
        console.Output.Flush();
        var answer = console.Input.ReadLine();
        return answer?.Trim() is "y" or "Y";
    }

    private int Declined() => Fail("cancelled: the answer was not \"y\"");

    private static KeyValuePair<string, string> Field(string name, string value) => new(name, value);
}
